namespace ControlPlane.Mesh.Model.Istio;

/// <summary>An outbound listener of a Sidecar, with the hosts it imports.</summary>
/// <param name="Port">Null for the catch-all listener (the last one).</param>
/// <param name="Hosts">namespace/dnsName entries, e.g. ./*, istio-system/*, */example.com.</param>
public sealed record IstioEgressListener(
    Port? Port,
    string? Bind,
    CaptureMode CaptureMode,
    ValueList<string> Hosts);
