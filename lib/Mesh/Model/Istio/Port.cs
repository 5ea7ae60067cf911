namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A port of a ServiceEntry, Gateway server or Sidecar listener (Istio's <c>networking.v1alpha3.Port</c>).</summary>
/// <param name="Number">1-65535; 0 only for a Sidecar egress listener on a Unix domain socket.</param>
/// <param name="Protocol">As written, e.g. HTTP, HTTP2, GRPC, GRPC-WEB, HTTPS, TLS, TCP, MONGO, REDIS, MYSQL, UDP (case-insensitive); validated as Istio's protocol.Parse knows it.</param>
/// <param name="Name">Empty when unset.</param>
/// <param name="TargetPort">ServiceEntry only: the port endpoints listen on; 0 when unset (same as Number).</param>
public sealed record Port(
    uint Number,
    string Protocol,
    string Name,
    uint TargetPort);
