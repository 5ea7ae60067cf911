using ControlPlane.Mesh.Model;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Listener.OriginalDst.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Builds the two listeners iptables redirects to: virtualOutbound (15001) for what the workload sends
/// and virtualInbound (15006) for what it receives.
/// </summary>
public static class VirtualListenerBuilder
{
    public static Listener VirtualOutbound() => new()
    {
        Name = MeshNames.VirtualOutbound,
        Address = EnvoyDefaults.SocketAddress("0.0.0.0", MeshNames.VirtualOutboundPort),
        // Hands each connection to the listener for its original destination, if there is one.
        UseOriginalDst = true,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains =
        {
            // Something connecting to 15001 itself would loop forever.
            BlackHoleChain("virtualOutbound-blackhole", MeshNames.VirtualOutboundPort),
            new FilterChain
            {
                Name = "virtualOutbound-catchall-tcp",
                Filters = { NetworkFilters.TcpProxy(MeshNames.PassthroughCluster, MeshNames.PassthroughCluster) },
            },
        },
    };

    public static Listener VirtualInbound(IReadOnlyList<InboundPort> ports)
    {
        var listener = new Listener
        {
            Name = MeshNames.VirtualInbound,
            Address = EnvoyDefaults.SocketAddress("0.0.0.0", MeshNames.VirtualInboundPort),
            TrafficDirection = TrafficDirection.Inbound,
            ListenerFilters =
            {
                new ListenerFilter { Name = MeshNames.OriginalDstListenerFilter, TypedConfig = Any.Pack(new OriginalDst()) },
            },
            FilterChains =
            {
                BlackHoleChain("virtualInbound-blackhole", MeshNames.VirtualInboundPort),
                // Ports no service declares still reach the application, as they would without a sidecar.
                new FilterChain
                {
                    Name = MeshNames.VirtualInbound,
                    FilterChainMatch = new FilterChainMatch { PrefixRanges = { new CidrRange { AddressPrefix = "0.0.0.0", PrefixLen = 0 } } },
                    Filters = { NetworkFilters.TcpProxy(MeshNames.InboundPassthroughCluster, MeshNames.InboundPassthroughCluster) },
                },
            },
        };

        foreach (var port in ports)
        {
            var cluster = MeshNames.InboundCluster(port.Port);
            var chain = new FilterChain
            {
                Name = MeshNames.OutboundListener(port.Port),
                FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)port.Port },
            };
            chain.Filters.Add(port.Protocol.IsHttp()
                ? NetworkFilters.HttpConnectionManager(NetworkFilters.InlineConnectionManager($"inbound_0.0.0.0_{port.Port}", InboundRoutes(port.Port, cluster)))
                : NetworkFilters.TcpProxy(cluster, cluster));
            listener.FilterChains.Add(chain);
        }

        return listener;
    }

    private static FilterChain BlackHoleChain(string name, int port) => new()
    {
        Name = name,
        FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)port },
        Filters = { NetworkFilters.TcpProxy(MeshNames.BlackHoleCluster, MeshNames.BlackHoleCluster) },
    };

    private static RouteConfiguration InboundRoutes(int port, string cluster) => new()
    {
        Name = cluster,
        ValidateClusters = false,
        VirtualHosts =
        {
            new VirtualHost
            {
                Name = $"inbound|http|{port}",
                Domains = { "*" },
                Routes =
                {
                    new Route
                    {
                        Name = "default",
                        Match = new RouteMatch { Prefix = "/" },
                        Route_ = new RouteAction
                        {
                            Cluster = cluster,
                            Timeout = Duration.FromTimeSpan(TimeSpan.Zero),
                            MaxStreamDuration = RouteBuilder.UnlimitedStreamDuration(),
                        },
                    },
                },
            },
        },
    };
}
