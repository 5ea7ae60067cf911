namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Limits on connections and requests to a host.</summary>
public sealed record ConnectionPoolSettings(
    TcpSettings? Tcp,
    HttpSettings? Http);
