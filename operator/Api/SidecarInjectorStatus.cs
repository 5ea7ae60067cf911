using System.Text.Json.Serialization;
using k8s.Models;

namespace ControlPlane.Operator.Api;

public sealed class SidecarInjectorStatus
{
    /// <summary>The spec generation the conditions describe.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>Ready: True when the spec is valid and in use for new pods; False with a reason otherwise.</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
