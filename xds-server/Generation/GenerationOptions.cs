namespace ControlPlane.XdsServer.Generation;

/// <summary>Generation settings that hold for every proxy (istiod's PILOT_* feature flags).</summary>
public sealed record GenerationOptions
{
    /// <summary>
    /// Headless services get EDS clusters (load balanced over their pods) on sidecars too, instead
    /// of ORIGINAL_DST clusters that go to the pod the client dialled. istiod 1.10's
    /// PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES; off by default, as there.
    /// </summary>
    public bool EnableEdsForHeadlessServices { get; init; }

    /// <summary>
    /// The Kubernetes cluster domain: a proxy's DNS domain is NAMESPACE.svc.CLUSTER_DOMAIN, which
    /// decides the short names its routes accept; it also completes short host names in Istio
    /// objects (e.g. a DestinationRule's <c>host: reviews</c>).
    /// </summary>
    public string ClusterDomain { get; init; } = "cluster.local";
}
