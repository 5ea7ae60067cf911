using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>What injection adds to a pod.</summary>
public sealed record RenderedSidecar(
    V1Container InitContainer,
    V1Container ProxyContainer,
    IReadOnlyList<V1Volume> Volumes,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations);
