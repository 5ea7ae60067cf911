namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Rewrites the path prefix and/or authority before forwarding.</summary>
public sealed record HttpRewrite(
    string? Uri,
    string? Authority);
