namespace ControlPlane.Mesh.Model.Istio;

/// <summary>TCP keepalive settings.</summary>
/// <param name="Probes">0 when unset (the OS default).</param>
public sealed record TcpKeepalive(
    uint Probes,
    TimeSpan? Time,
    TimeSpan? Interval);
