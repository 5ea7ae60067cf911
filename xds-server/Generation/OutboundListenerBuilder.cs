using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Listener.HttpInspector.V3;
using Envoy.Extensions.Filters.Listener.TlsInspector.V3;
using ControlPlane.XdsServer.Generation.Routing;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Builds the outbound listeners virtualOutbound hands connections to, as istiod 1.10 builds them
/// (<c>buildSidecarOutboundListenerForPortOrUDS</c>): HTTP ports share one WILDCARD_PORT listener
/// routed by RDS route "PORT"; a TCP port gets a tcp_proxy to its cluster on its VIP_PORT (or
/// POD_IP_PORT) listener; a sniffed port gets both, the HTTP chain chosen by ALPN from the HTTP
/// inspector and routed by "HOST:PORT" (or "PORT" on the wildcard address).
/// </summary>
public static class OutboundListenerBuilder
{
    private static readonly string[] HttpAlpn = ["http/1.0", "http/1.1", "h2c"];

    /// <summary>
    /// The listener for <paramref name="bind"/>:<paramref name="port"/> out of the service ports
    /// that want it, merged in order as istiod resolves its listener conflicts: HTTP onto TCP adds
    /// an HTTP chain (the listener becomes sniffed); TCP chains with the same match as an earlier
    /// chain are dropped (the first service wins); HTTP or sniffed onto a sniffed listener only adds
    /// its service to the routes; MySQL and MongoDB ports never share a listener with another
    /// protocol. Null when nothing is left.
    /// </summary>
    /// <param name="wildcard">The proxy's wildcard address, 0.0.0.0 or ::.</param>
    /// <param name="routing">The VirtualServices' TCP and TLS rules, which shape the TCP chains (see <see cref="TcpRouting"/>).</param>
    internal static OutboundListener? Build(string bind, int port, string wildcard, IReadOnlyList<ListenerContribution> contributions, TcpRouting routing)
    {
        var name = MeshNames.Listener(bind, port);
        var chains = new List<FilterChain>();
        var routes = new List<RouteReference>();
        MeshProtocol? existing = null;
        var inspect = false;
        var sni = false;
        foreach (var contribution in contributions)
        {
            var incoming = contribution.Protocol;
            if (existing is { } current)
            {
                if (IsSniffed(current) && incoming is ListenerProtocol.Http or ListenerProtocol.Auto)
                {
                    // The service is already reachable through the listener's routes.
                    continue;
                }

                var involved = new[] { current, contribution.Port.Protocol };
                if (involved.Any(p => p is MeshProtocol.Mysql or MeshProtocol.Mongo) && current != contribution.Port.Protocol)
                {
                    continue;
                }
            }

            var (contributed, needsSni) = Chains(contribution, name, bind, port, wildcard, routing);
            sni |= needsSni;
            foreach (var (chain, route) in contributed)
            {
                // Chains with the same match as an earlier one would never be chosen: the first wins.
                if (!chains.Any(c => Equals(c.FilterChainMatch, chain.FilterChainMatch)))
                {
                    chains.Add(chain);
                    if (route is not null)
                    {
                        routes.Add(route);
                    }
                }
            }

            // A listener with an HTTP chain next to TCP (or from a sniffed port) is itself sniffed.
            existing = incoming == ListenerProtocol.Tcp && existing is null ? contribution.Port.Protocol
                : incoming == ListenerProtocol.Tcp ? existing
                : MeshProtocol.Unsupported;
            inspect |= incoming != ListenerProtocol.Tcp;
        }

        if (chains.Count == 0)
        {
            return null;
        }

        var listener = new Listener
        {
            Name = name,
            Address = EnvoyDefaults.SocketAddress(bind, port),
            TrafficDirection = TrafficDirection.Outbound,
        }.NotBound();

        if (inspect || sni)
        {
            // SNI matches need the TLS inspector; so does an ALPN match on raw_buffer, lest Envoy add its own.
            listener.ListenerFilters.Add(new ListenerFilter { Name = MeshNames.TlsInspectorListenerFilter, TypedConfig = Any.Pack(new TlsInspector()) });
        }

        if (inspect)
        {
            listener.ListenerFilters.Add(new ListenerFilter { Name = MeshNames.HttpInspectorListenerFilter, TypedConfig = Any.Pack(new HttpInspector()) });
            // Mesh protocolDetectionTimeout 0s: no timeout, so server-first protocols are not cut off.
            listener.ListenerFiltersTimeout = Duration.FromTimeSpan(TimeSpan.Zero);
            listener.ContinueOnListenerFiltersTimeout = true;
        }

        // A match-all chain among others becomes the default; with none, unmatched traffic passes through.
        var matchAll = chains.FindIndex(c => c.FilterChainMatch is null);
        if (matchAll >= 0 && chains.Count > 1)
        {
            listener.DefaultFilterChain = chains[matchAll];
            chains.RemoveAt(matchAll);
        }
        else if (matchAll < 0)
        {
            listener.DefaultFilterChain = PassthroughChain();
        }

        listener.FilterChains.AddRange(chains);
        return new OutboundListener(listener, routes.ToImmutableArray());
    }

    /// <summary>
    /// The chains one service port brings, with the route each takes from RDS: tcp_proxy chains for
    /// TCP (as its VirtualServices' TCP or TLS rules shape them), an HTTP connection manager for
    /// HTTP, both for a sniffed port; and whether a chain matches SNI.
    /// </summary>
    private static (List<(FilterChain Chain, RouteReference? Route)> Chains, bool Sni) Chains(
        ListenerContribution contribution, string name, string bind, int port, string wildcard, TcpRouting routing)
    {
        var chains = new List<(FilterChain, RouteReference?)>();
        var sni = false;
        if (contribution.Protocol is ListenerProtocol.Tcp or ListenerProtocol.Auto)
        {
            var (tcp, needsSni) = routing.Chains(contribution, bind, wildcard);
            chains.AddRange(tcp.Select(chain => (chain, (RouteReference?)null)));
            sni = needsSni;
        }

        if (contribution.Protocol is ListenerProtocol.Http or ListenerProtocol.Auto)
        {
            // A sniffed port bound to its own address routes only its own service.
            var route = contribution.Protocol == ListenerProtocol.Auto && bind != wildcard
                ? new RouteReference(MeshNames.SniffedRoute(contribution.Service.Hostname, port), port, contribution.Service)
                : new RouteReference(MeshNames.OutboundRoute(port), port, null);
            chains.Add((new FilterChain
            {
                Name = name,
                FilterChainMatch = new FilterChainMatch { TransportProtocol = MeshNames.RawBufferTransportProtocol, ApplicationProtocols = { HttpAlpn } },
                Filters = { NetworkFilters.HttpConnectionManager(NetworkFilters.RdsConnectionManager($"outbound_{name}", route.Name)) },
            }, route));
        }

        return (chains, sni);
    }

    private static bool IsSniffed(MeshProtocol protocol) => protocol == MeshProtocol.Unsupported;

    /// <summary>What matches nothing else on the port keeps its original destination (ALLOW_ANY).</summary>
    private static FilterChain PassthroughChain() => new()
    {
        Name = MeshNames.PassthroughFilterChain,
        FilterChainMatch = new FilterChainMatch(),
        Filters = { NetworkFilters.TcpProxy(MeshNames.PassthroughCluster, MeshNames.PassthroughCluster) },
    };
}
