using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Api;

public sealed class SidecarInjectorList : IKubernetesObject<V1ListMeta>, IItems<SidecarInjector>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{SidecarInjector.Group}/{SidecarInjector.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "SidecarInjectorList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<SidecarInjector> Items { get; set; } = new List<SidecarInjector>();
}
