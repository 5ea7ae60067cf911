namespace ControlPlane.XdsServer.Generation;

public enum ProxyKind
{
    /// <summary>An Envoy or MOSN sidecar next to a workload.</summary>
    Sidecar,

    /// <summary>A gateway ("router" in the node id).</summary>
    Router,

    /// <summary>A proxyless gRPC client (node metadata GENERATOR=grpc).</summary>
    Grpc,
}
