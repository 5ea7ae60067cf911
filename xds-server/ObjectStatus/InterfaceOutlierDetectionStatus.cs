using System.Text.Json.Serialization;
using k8s.Models;

namespace ControlPlane.XdsServer.ObjectStatus;

/// <summary>The status of an InterfaceOutlierDetection, as its CRD declares it.</summary>
public sealed class InterfaceOutlierDetectionStatus
{
    /// <summary>The metadata.generation the conditions describe.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>Accepted and MosnIgnoresOutlierDetection (see <see cref="InterfaceOutlierConditions"/>).</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
