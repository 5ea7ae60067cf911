using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.ObjectStatus;

/// <summary>An InterfaceOutlierDetection as the status writer reads and replaces it: the spec kept as it is, the status typed.</summary>
public sealed class InterfaceOutlierDetectionResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonElement? Spec { get; set; }

    [JsonPropertyName("status")]
    public InterfaceOutlierDetectionStatus? Status { get; set; }
}
