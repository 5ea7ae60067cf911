using ControlPlane.Mesh.Model;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Listener.HttpInspector.V3;
using Envoy.Extensions.Filters.Listener.OriginalDst.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Builds the two listeners iptables redirects to: virtualOutbound (15001) for what the workload sends
/// and virtualInbound (15006) for what it receives.
/// </summary>
public static class VirtualListenerBuilder
{
    private static readonly string[] HttpAlpn = ["http/1.0", "http/1.1", "h2c"];

    /// <param name="wildcard">The proxy's wildcard address: 0.0.0.0, or :: on IPv6-only proxies.</param>
    public static Listener VirtualOutbound(string wildcard = MeshNames.UnspecifiedAddress) => new()
    {
        Name = MeshNames.VirtualOutbound,
        Address = EnvoyDefaults.SocketAddress(wildcard, MeshNames.VirtualOutboundPort),
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

    /// <summary>
    /// virtualInbound on the proxy's wildcard address: a chain per workload port (named
    /// WILDCARD_PORT, as istiod names the inbound listeners it folds in), and for each IP family
    /// the proxy has a catch-all chain to that family's inbound passthrough cluster.
    /// </summary>
    public static Listener VirtualInbound(IReadOnlyList<InboundPort> ports, IpFamilies families = IpFamilies.IPv4)
    {
        var wildcard = families.HasFlag(IpFamilies.IPv4) ? MeshNames.UnspecifiedAddress : MeshNames.UnspecifiedAddressIpv6;
        var listener = new Listener
        {
            Name = MeshNames.VirtualInbound,
            Address = EnvoyDefaults.SocketAddress(wildcard, MeshNames.VirtualInboundPort),
            TrafficDirection = TrafficDirection.Inbound,
            ListenerFilters =
            {
                new ListenerFilter { Name = MeshNames.OriginalDstListenerFilter, TypedConfig = Any.Pack(new OriginalDst()) },
            },
            // Mesh protocolDetectionTimeout 0s: the inspectors wait as long as the client does.
            ListenerFiltersTimeout = Duration.FromTimeSpan(TimeSpan.Zero),
            ContinueOnListenerFiltersTimeout = true,
            FilterChains = { BlackHoleChain("virtualInbound-blackhole", MeshNames.VirtualInboundPort) },
        };

        // Ports no service declares still reach the application, as they would without a sidecar.
        if (families.HasFlag(IpFamilies.IPv4))
        {
            listener.FilterChains.Add(PassthroughChain("0.0.0.0", MeshNames.InboundPassthroughCluster));
        }

        if (families.HasFlag(IpFamilies.IPv6))
        {
            // istiod writes the IPv6 catch-all as ::0/0.
            listener.FilterChains.Add(PassthroughChain("::0", MeshNames.InboundPassthroughClusterIpv6));
        }

        foreach (var port in ports)
        {
            var name = MeshNames.Listener(wildcard, port.Port);
            var cluster = MeshNames.InboundCluster(port.Port);
            switch (port.Protocol.ForListener())
            {
                case ListenerProtocol.Http:
                    listener.FilterChains.Add(HttpChain(name, new FilterChainMatch { DestinationPort = (uint)port.Port }, port.Port, cluster));
                    break;
                case ListenerProtocol.Auto:
                    // istiod's plaintext sniffing chains: HTTP when the inspector saw HTTP, else TCP.
                    listener.FilterChains.Add(HttpChain(name, new FilterChainMatch { DestinationPort = (uint)port.Port, TransportProtocol = MeshNames.RawBufferTransportProtocol, ApplicationProtocols = { HttpAlpn } }, port.Port, cluster));
                    listener.FilterChains.Add(TcpChain(name, new FilterChainMatch { DestinationPort = (uint)port.Port, TransportProtocol = MeshNames.RawBufferTransportProtocol }, cluster));
                    break;
                default:
                    listener.FilterChains.Add(TcpChain(name, new FilterChainMatch { DestinationPort = (uint)port.Port }, cluster));
                    break;
            }
        }

        var sniffed = ports.Where(p => p.Protocol.ForListener() == ListenerProtocol.Auto).Select(p => p.Port).ToList();
        if (sniffed.Count > 0)
        {
            listener.ListenerFilters.Add(new ListenerFilter
            {
                Name = MeshNames.HttpInspectorListenerFilter,
                TypedConfig = Any.Pack(new HttpInspector()),
                FilterDisabled = OnlyOnPorts(sniffed),
            });
        }

        return listener;
    }

    private static FilterChain PassthroughChain(string anyAddress, string cluster) => new()
    {
        Name = MeshNames.VirtualInbound,
        FilterChainMatch = new FilterChainMatch { PrefixRanges = { new CidrRange { AddressPrefix = anyAddress, PrefixLen = 0 } } },
        Filters = { NetworkFilters.TcpProxy(cluster, cluster) },
    };

    private static FilterChain HttpChain(string name, FilterChainMatch match, int port, string cluster) => new()
    {
        Name = name,
        FilterChainMatch = match,
        Filters = { NetworkFilters.HttpConnectionManager(NetworkFilters.InlineConnectionManager($"inbound_{name}", InboundRoutes(port, cluster))) },
    };

    private static FilterChain TcpChain(string name, FilterChainMatch match, string cluster) => new()
    {
        Name = name,
        FilterChainMatch = match,
        Filters = { NetworkFilters.TcpProxy(cluster, cluster) },
    };

    /// <summary>
    /// A listener filter predicate that disables the filter everywhere except on
    /// <paramref name="ports"/>: the HTTP inspector only delays connections it has no use for (and
    /// stalls server-first protocols), so it runs only where a sniffed port needs it.
    /// </summary>
    private static ListenerFilterChainMatchPredicate OnlyOnPorts(IReadOnlyList<int> ports)
    {
        var ranges = ports.Select(p => new ListenerFilterChainMatchPredicate { DestinationPortRange = new Int32Range { Start = p, End = p + 1 } }).ToList();
        var any = ranges.Count == 1 ? ranges[0] : new ListenerFilterChainMatchPredicate { OrMatch = new ListenerFilterChainMatchPredicate.Types.MatchSet { Rules = { ranges } } };
        return new ListenerFilterChainMatchPredicate { NotMatch = any };
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
