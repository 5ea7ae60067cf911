using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>What injection adds to (and changes in) a pod.</summary>
/// <param name="InitContainer">istio-init; null with interception mode NONE.</param>
/// <param name="ProxyFirst">istio-proxy goes before the app containers (holdApplicationUntilProxyStarts), else after them.</param>
/// <param name="AppProbes">Application probes pointed at pilot-agent.</param>
/// <param name="Annotations">Annotations set on the pod, replacing values it had.</param>
public sealed record RenderedSidecar(
    V1Container? InitContainer,
    V1Container ProxyContainer,
    bool ProxyFirst,
    IReadOnlyList<V1Volume> Volumes,
    IReadOnlyList<RewrittenProbes> AppProbes,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations);
