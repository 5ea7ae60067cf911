namespace ControlPlane.Mesh.Model.Istio;

/// <summary>TCP connection limits (Istio's <c>ConnectionPoolSettings.TCPSettings</c>).</summary>
/// <param name="MaxConnections">0 when unset.</param>
public sealed record TcpSettings(
    int MaxConnections,
    TimeSpan? ConnectTimeout,
    TcpKeepalive? TcpKeepalive);
