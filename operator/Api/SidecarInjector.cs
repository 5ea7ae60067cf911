using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Api;

/// <summary>
/// mesh.controlplane.io/v1alpha1 SidecarInjector: how sidecars are injected, cluster-scoped. The
/// operator uses the one named "default" (or as --sidecar-injector says); edits apply to the next pod,
/// no restart needed.
/// </summary>
public sealed class SidecarInjector : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "mesh.controlplane.io";
    public const string Version = "v1alpha1";
    public const string Plural = "sidecarinjectors";
    public const string DefaultName = "default";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "SidecarInjector";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public SidecarInjectorSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public SidecarInjectorStatus? Status { get; set; }
}
