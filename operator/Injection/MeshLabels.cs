namespace ControlPlane.Operator.Injection;

/// <summary>Labels and annotations injection reads and writes; Istio's names where Istio has one.</summary>
public static class MeshLabels
{
    public const string InjectionNamespaceLabel = "istio-injection";
    public const string RevisionLabel = "istio.io/rev";
    public const string InjectAnnotation = "sidecar.istio.io/inject";
    public const string StatusAnnotation = "sidecar.istio.io/status";
    public const string TlsModeLabel = "security.istio.io/tlsMode";
    public const string CanonicalNameLabel = "service.istio.io/canonical-name";
    public const string CanonicalRevisionLabel = "service.istio.io/canonical-revision";

    /// <summary>Ours: envoy or mosn, on a pod (annotation or label) or a namespace (label or annotation).</summary>
    public const string ProxyFlavorKey = "mesh.controlplane.io/proxy-flavor";

    public const string ProxyContainerName = "istio-proxy";
    public const string InitContainerName = "istio-init";

    /// <summary>Namespaces Istio never injects into.</summary>
    public static readonly IReadOnlySet<string> IgnoredNamespaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "kube-system", "kube-public", "kube-node-lease", "local-path-storage",
    };
}
