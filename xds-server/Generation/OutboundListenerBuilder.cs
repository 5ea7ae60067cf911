using ControlPlane.Mesh.Model;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Listener.HttpInspector.V3;
using Envoy.Extensions.Filters.Listener.TlsInspector.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Builds the outbound listeners virtualOutbound hands connections to, named as Istio 1.10 names them:
/// HTTP ports share one 0.0.0.0_PORT listener routed by RDS route "PORT"; a TCP service port gets its
/// own VIP_PORT listener with a tcp_proxy to the service's cluster.
/// </summary>
public static class OutboundListenerBuilder
{
    private static readonly string[] HttpAlpn = ["http/1.0", "http/1.1", "h2c"];

    /// <summary>The shared HTTP listener for a port, or null when no service speaks HTTP on it.</summary>
    public static Listener? Http(int port, IReadOnlyList<(MeshService Service, MeshServicePort Port)> services)
    {
        if (!services.Any(s => s.Port.Protocol.IsHttp()))
        {
            return null;
        }

        var listener = Outbound(MeshNames.OutboundListener(port), "0.0.0.0", port);

        // Non-HTTP traffic to this port (to hosts outside the mesh, say) is detected and passed through.
        listener.ListenerFilters.Add(new ListenerFilter { Name = MeshNames.TlsInspectorListenerFilter, TypedConfig = Any.Pack(new TlsInspector()) });
        listener.ListenerFilters.Add(new ListenerFilter { Name = MeshNames.HttpInspectorListenerFilter, TypedConfig = Any.Pack(new HttpInspector()) });
        listener.FilterChains.Add(new FilterChain
        {
            Name = MeshNames.OutboundListener(port),
            FilterChainMatch = new FilterChainMatch { TransportProtocol = "raw_buffer", ApplicationProtocols = { HttpAlpn } },
            Filters =
            {
                NetworkFilters.HttpConnectionManager(NetworkFilters.RdsConnectionManager($"outbound_0.0.0.0_{port}", MeshNames.OutboundRoute(port))),
            },
        });
        listener.DefaultFilterChain = PassthroughChain();
        return listener;
    }

    /// <summary>The listener for a TCP service port, or null for HTTP, UDP and headless ports.</summary>
    public static Listener? Tcp(MeshService service, MeshServicePort port)
    {
        // Headless services have no VIP: their traffic goes straight to pod IPs and passes through.
        if (port.Protocol.IsHttp() || port.Protocol == MeshProtocol.Udp || service.ClusterIp is null)
        {
            return null;
        }

        var cluster = MeshNames.OutboundCluster(port.Port, service.Hostname);
        var listener = Outbound(MeshNames.TcpListener(service.ClusterIp, port.Port), service.ClusterIp, port.Port);
        listener.FilterChains.Add(new FilterChain { Filters = { NetworkFilters.TcpProxy(cluster, cluster) } });
        return listener;
    }

    private static Listener Outbound(string name, string address, int port) => new Listener()
    {
        Name = name,
        Address = EnvoyDefaults.SocketAddress(address, port),
        TrafficDirection = TrafficDirection.Outbound,
    }.NotBound();

    private static FilterChain PassthroughChain() => new()
    {
        Name = "PassthroughFilterChain",
        Filters = { NetworkFilters.TcpProxy(MeshNames.PassthroughCluster, MeshNames.PassthroughCluster) },
    };
}
