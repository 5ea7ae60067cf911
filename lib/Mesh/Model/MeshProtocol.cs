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
    Thrift,

    /// <summary>Not declared (Istio's <c>UnsupportedProtocol</c>): proxies detect HTTP on the connection and otherwise pass TCP.</summary>
    Unsupported,
}

public static class MeshProtocols
{
    /// <summary>Ports where sniffing would break server-first protocols: istiod 1.10 makes them TCP when undeclared (SMTP, DNS, MySQL, MongoDB).</summary>
    private static readonly HashSet<int> WellKnownServerFirstPorts = [25, 53, 3306, 27017];

    /// <summary>Protocols that Envoy routes through the HTTP connection manager.</summary>
    public static bool IsHttp(this MeshProtocol protocol) =>
        protocol is MeshProtocol.Http or MeshProtocol.Http2 or MeshProtocol.Grpc or MeshProtocol.GrpcWeb;

    /// <summary>Protocols whose upstream connections must speak HTTP/2 (Istio's <c>IsHTTP2</c>, gRPC-Web included).</summary>
    public static bool IsHttp2(this MeshProtocol protocol) =>
        protocol is MeshProtocol.Http2 or MeshProtocol.Grpc or MeshProtocol.GrpcWeb;

    /// <summary>Protocols proxied as plain TCP streams (Istio's <c>IsTCP</c>).</summary>
    public static bool IsTcp(this MeshProtocol protocol) =>
        protocol is MeshProtocol.Tcp or MeshProtocol.Https or MeshProtocol.Tls or MeshProtocol.Mongo or
            MeshProtocol.Redis or MeshProtocol.Mysql or MeshProtocol.Thrift;

    /// <summary>
    /// Istio 1.10's rule (<c>kube.ConvertProtocol</c>): UDP ports are UDP; otherwise the
    /// appProtocol, when set, replaces the port name; a name starting "grpc-web" is gRPC-Web, else
    /// its prefix up to the first '-' names the protocol (case-insensitive). Anything unrecognised
    /// is <see cref="MeshProtocol.Unsupported"/> (sniffed), except on well-known server-first ports,
    /// where it is TCP.
    /// </summary>
    /// <param name="port">The service port number.</param>
    public static MeshProtocol Infer(int port, string? portName, string? appProtocol, string? transportProtocol)
    {
        if (string.Equals(transportProtocol, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            return MeshProtocol.Udp;
        }

        var name = appProtocol ?? portName ?? string.Empty;
        if (name.StartsWith("grpc-web", StringComparison.OrdinalIgnoreCase))
        {
            return MeshProtocol.GrpcWeb;
        }

        var dash = name.IndexOf('-');
        var protocol = Parse(dash < 0 ? name : name[..dash]);
        return protocol == MeshProtocol.Unsupported && WellKnownServerFirstPorts.Contains(port) ? MeshProtocol.Tcp : protocol;
    }

    /// <summary>
    /// Istio 1.10's <c>protocol.Parse</c>, for protocols named outright (a ServiceEntry port's
    /// <c>protocol</c>): case-insensitive; anything unknown is <see cref="MeshProtocol.Unsupported"/>.
    /// </summary>
    public static MeshProtocol Parse(string value) => value.ToLowerInvariant() switch
    {
        "http" => MeshProtocol.Http,
        // Istio's HTTP_PROXY is for Sidecar egress listeners; on a service port it is routed as HTTP.
        "http_proxy" => MeshProtocol.Http,
        "http2" => MeshProtocol.Http2,
        "grpc" => MeshProtocol.Grpc,
        "grpc-web" => MeshProtocol.GrpcWeb,
        "https" => MeshProtocol.Https,
        "tls" => MeshProtocol.Tls,
        "tcp" => MeshProtocol.Tcp,
        "mongo" => MeshProtocol.Mongo,
        "redis" => MeshProtocol.Redis,
        "mysql" => MeshProtocol.Mysql,
        "thrift" => MeshProtocol.Thrift,
        "udp" => MeshProtocol.Udp,
        _ => MeshProtocol.Unsupported,
    };
}
