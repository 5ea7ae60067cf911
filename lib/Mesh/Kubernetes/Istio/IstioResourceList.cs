using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes.Istio;

public sealed class IstioResourceList : IKubernetesObject<V1ListMeta>, IItems<IstioResource>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<IstioResource> Items { get; set; } = new List<IstioResource>();
}
