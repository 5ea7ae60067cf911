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

    /// <summary>The cluster domain of service host names (--cluster-domain): short names in Istio objects resolve to NAME.NAMESPACE.svc.DOMAIN.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";
}
