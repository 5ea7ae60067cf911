namespace ControlPlane.Mesh.Model;

/// <summary>The application protocol of a service port, as Istio names them.</summary>
public enum MeshProtocol
{
    Tcp,
    Http,
    Http2,
    Grpc,
    GrpcWeb,
    Https,
    Tls,
    Mongo,
    Redis,
    Mysql,
    Udp,
}

public static class MeshProtocols
{
    /// <summary>Protocols that Envoy routes through the HTTP connection manager.</summary>
    public static bool IsHttp(this MeshProtocol protocol) =>
        protocol is MeshProtocol.Http or MeshProtocol.Http2 or MeshProtocol.Grpc or MeshProtocol.GrpcWeb;

    /// <summary>Protocols whose upstream connections must speak HTTP/2.</summary>
    public static bool IsHttp2(this MeshProtocol protocol) =>
        protocol is MeshProtocol.Http2 or MeshProtocol.Grpc;

    /// <summary>
    /// Istio's rule: appProtocol wins, else the port name's prefix up to the first '-'
    /// ("http-web" is HTTP); UDP ports stay UDP; anything unrecognised is plain TCP.
    /// </summary>
    public static MeshProtocol Infer(string? portName, string? appProtocol, string? transportProtocol)
    {
        if (string.Equals(transportProtocol, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            return MeshProtocol.Udp;
        }

        if (!string.IsNullOrEmpty(appProtocol) && TryParse(appProtocol, out var fromAppProtocol))
        {
            return fromAppProtocol;
        }

        if (!string.IsNullOrEmpty(portName))
        {
            var dash = portName.IndexOf('-');
            var prefix = dash < 0 ? portName : portName[..dash];
            if (TryParse(prefix, out var fromName))
            {
                return fromName;
            }
        }

        return MeshProtocol.Tcp;
    }

    private static bool TryParse(string value, out MeshProtocol protocol)
    {
        protocol = value.ToLowerInvariant() switch
        {
            "http" => MeshProtocol.Http,
            "http2" => MeshProtocol.Http2,
            "grpc" => MeshProtocol.Grpc,
            "grpc-web" => MeshProtocol.GrpcWeb,
            "https" => MeshProtocol.Https,
            "tls" => MeshProtocol.Tls,
            "tcp" => MeshProtocol.Tcp,
            "mongo" => MeshProtocol.Mongo,
            "redis" => MeshProtocol.Redis,
            "mysql" => MeshProtocol.Mysql,
            "udp" => MeshProtocol.Udp,
            _ => (MeshProtocol)(-1),
        };
        return (int)protocol >= 0;
    }
}
