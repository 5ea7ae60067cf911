using k8s;
using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>The fields every Kubernetes object has, to tell a document's kind before reading it as that kind.</summary>
public sealed class ManifestHeader : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();
}
