namespace ControlPlane.Mesh.Kubernetes.Istio;

/// <summary>
/// The control plane's own namespaced traffic kinds (mesh.controlplane.io/v1alpha1), read like the
/// Istio networking kinds (as <see cref="IstioResource"/>) and kept beside them in the model.
/// </summary>
public static class MeshTrafficKinds
{
    public const string Group = "mesh.controlplane.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = $"{Group}/{Version}";

    public static IReadOnlyList<(string Kind, string Plural)> All { get; } =
    [
        ("InterfaceOutlierDetection", "interfaceoutlierdetections"),
    ];
}
