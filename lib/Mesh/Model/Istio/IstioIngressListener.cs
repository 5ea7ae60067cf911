namespace ControlPlane.Mesh.Model.Istio;

/// <summary>An inbound listener of a Sidecar.</summary>
/// <param name="DefaultEndpoint">127.0.0.1:port, 0.0.0.0:port, :port or unix:///path.</param>
public sealed record IstioIngressListener(
    Port Port,
    string? Bind,
    CaptureMode CaptureMode,
    string DefaultEndpoint);
