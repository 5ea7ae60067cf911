using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// The TCP and TLS rules of the VirtualServices a sidecar sees, as the filter chains of its outbound
/// TCP (and sniffed) listeners, as istiod 1.10's buildSidecarOutboundTCPTLSFilterChainOpts builds
/// them: for a TLS or HTTPS port one chain per TLS match that applies to the proxy (SNI hosts as
/// server_names, destinationSubnets as prefix_ranges, the first chain of equal SNI and subnets
/// wins), else the service's own chain; for any other port the TCP rules in order until one matches
/// everything (no match, or a match without destinationSubnets), subnet matches collected per rule,
/// and the service's own chain unless a rule matched everything (or a rule's subnets are the
/// service's own). Chains without destinationSubnets of their own match the service's CIDR when its
/// address is one (a ServiceEntry's, istiod's destinationCIDR).
/// </summary>
internal sealed class TcpRouting
{
    private readonly VirtualServiceIndex _virtualServices;
    private readonly ServiceIndex _services;
    private readonly RouteScope _scope;

    public TcpRouting(MeshSnapshot mesh, string clusterDomain, RouteScope scope)
    {
        _virtualServices = VirtualServiceIndex.Of(mesh, clusterDomain);
        _services = ServiceIndex.Of(mesh, clusterDomain);
        _scope = scope;
    }

    /// <summary>The memo scope of listeners built with VirtualService rules: they depend on the proxy's namespace, labels and data plane.</summary>
    public string ScopeKey => _scope.Key;

    /// <summary>
    /// The VirtualServices whose rules shape the TCP chains of <paramref name="contribution"/>:
    /// those of its host with TLS rules for a TLS or HTTPS port, with TCP rules otherwise. Empty
    /// for an HTTP contribution.
    /// </summary>
    public ImmutableArray<ResolvedVirtualService> For(ListenerContribution contribution)
    {
        if (contribution.Protocol == ListenerProtocol.Http)
        {
            return [];
        }

        var tls = IsTls(contribution.Port);
        return _virtualServices.ForHost(_scope.Namespace, contribution.Service.Hostname)
            .Where(vs => tls ? !vs.Spec.Tls.IsEmpty : !vs.Spec.Tcp.IsEmpty)
            .ToImmutableArray();
    }

    /// <summary>What the chains of these VirtualServices depend on besides them: the services their destinations name (whose port counts pick cluster ports).</summary>
    public IEnumerable<object> DestinationInputs(IEnumerable<ResolvedVirtualService> virtualServices) =>
        virtualServices.SelectMany(vs => vs.Spec.Tcp.SelectMany(r => r.Route).Concat(vs.Spec.Tls.SelectMany(r => r.Route)))
            .Select(d => d.Destination.Host)
            .Distinct(StringComparer.Ordinal)
            .Select(host => (object?)_services.Find(host, _scope.Namespace) ?? host);

    /// <summary>
    /// The TCP chains of one service port on a listener bound to <paramref name="bind"/>, and
    /// whether one of them matches SNI (the listener then needs the TLS inspector).
    /// </summary>
    public (List<FilterChain> Chains, bool Sni) Chains(ListenerContribution contribution, string bind, string wildcard)
    {
        var virtualServices = For(contribution);
        var port = contribution.Port.Port;
        var cidr = contribution.DestinationCidr ?? string.Empty;
        var chains = new List<(TcpChains.Options Options, FilterChain Chain)>();
        if (IsTls(contribution.Port))
        {
            var handled = new HashSet<string>(StringComparer.Ordinal);
            foreach (var vs in virtualServices)
            {
                foreach (var rule in vs.Spec.Tls)
                {
                    foreach (var match in rule.Match.Where(m => _scope.Selects(m, port)))
                    {
                        var options = new TcpChains.Options(match.SniHosts, match.DestinationSubnets.IsEmpty ? [cidr] : match.DestinationSubnets);
                        if (handled.Add($"{string.Join(',', match.SniHosts)}|{string.Join(',', match.DestinationSubnets)}"))
                        {
                            chains.Add((options, TcpChains.Chain(options, Filter(rule.Route, port, vs), HttpRouteTranslator.ConfigMetadata(vs))));
                        }
                    }
                }
            }

            if (chains.Count == 0)
            {
                // With a CIDR, or without a VIP of its own (bound to the wildcard), only SNI tells the service apart.
                var address = contribution.Service.Address ?? MeshNames.UnspecifiedAddress;
                var sni = cidr.Length > 0 || (address == wildcard && bind == wildcard) ? new[] { contribution.Service.Hostname } : [];
                var options = new TcpChains.Options(sni, [cidr]);
                chains.Add((options, TcpChains.Chain(options, ServiceFilter(contribution), null)));
            }
        }
        else
        {
            var matchesAll = false;
            var ownChainCovered = false;
            foreach (var vs in virtualServices)
            {
                foreach (var rule in vs.Spec.Tcp)
                {
                    if (rule.Match.IsEmpty)
                    {
                        chains.Add(Route(rule, vs, port, [cidr], true));
                        matchesAll = true;
                        break;
                    }

                    var subnets = new List<string>();
                    foreach (var match in rule.Match.Where(m => _scope.Selects(m, port)))
                    {
                        if (match.DestinationSubnets.IsEmpty)
                        {
                            chains.Add(Route(rule, vs, port, [cidr], true));
                            matchesAll = true;
                            break;
                        }

                        subnets.AddRange(match.DestinationSubnets);
                    }

                    if (matchesAll)
                    {
                        break;
                    }

                    if (subnets.Count > 0)
                    {
                        chains.Add(Route(rule, vs, port, subnets, false));

                        // The service's own chain would repeat this one's match, which Envoy refuses.
                        ownChainCovered |= subnets.Order(StringComparer.Ordinal).SequenceEqual([cidr]);
                    }
                }

                if (matchesAll)
                {
                    break;
                }
            }

            if (!matchesAll && !ownChainCovered)
            {
                var options = new TcpChains.Options([], [cidr]);
                chains.Add((options, TcpChains.Chain(options, ServiceFilter(contribution), null)));
            }
        }

        if (_scope.Flavor == ProxyFlavor.Mosn)
        {
            return (ForMosn(chains.Select(c => c.Chain).ToList(), contribution), false);
        }

        return (chains.Select(c => c.Chain).ToList(), chains.Any(c => c.Options.SniHosts.Count > 0));
    }

    private (TcpChains.Options, FilterChain) Route(TcpRoute rule, ResolvedVirtualService vs, int port, IReadOnlyList<string> cidrs, bool withMetadata)
    {
        var options = new TcpChains.Options([], cidrs);
        return (options, TcpChains.Chain(options, Filter(rule.Route, port, vs), withMetadata ? HttpRouteTranslator.ConfigMetadata(vs) : null));
    }

    /// <summary>
    /// MOSN's converter uses a listener's first filter chain and never evaluates its match, nor
    /// reads tcp_proxy's weighted_clusters: chains that depend on SNI or destination addresses are
    /// left out (the service's own chain stands in when none is left), and weighted destinations
    /// become the heaviest one.
    /// </summary>
    private static List<FilterChain> ForMosn(List<FilterChain> chains, ListenerContribution contribution)
    {
        var kept = chains.Where(c => c.FilterChainMatch is null).ToList();
        if (kept.Count == 0)
        {
            kept.Add(TcpChains.Chain(new TcpChains.Options([], [string.Empty]), ServiceFilter(contribution), null));
        }

        foreach (var chain in kept)
        {
            var proxy = chain.Filters[^1].TypedConfig.Unpack<TcpProxy>();
            if (proxy.WeightedClusters is { } weighted)
            {
                var heaviest = weighted.Clusters.OrderByDescending(c => c.Weight).First();
                proxy.Cluster = heaviest.Name;
                chain.Filters[^1] = NetworkFilters.TcpProxy(proxy);
            }
        }

        return kept;
    }

    /// <summary>istiod's buildOutboundNetworkFilters: one destination is a tcp_proxy to its cluster, several are weighted (stats under the VirtualService's name.namespace).</summary>
    private Filter Filter(ValueList<RouteDestination> destinations, int port, ResolvedVirtualService vs)
    {
        if (destinations.Count == 1)
        {
            var cluster = Cluster(destinations[0].Destination, port);
            return NetworkFilters.TcpProxy(cluster, cluster);
        }

        var weighted = new TcpProxy.Types.WeightedCluster();
        foreach (var destination in destinations.Where(d => d.Weight > 0))
        {
            weighted.Clusters.Add(new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = Cluster(destination.Destination, port), Weight = (uint)destination.Weight });
        }

        return NetworkFilters.TcpProxy(new TcpProxy { StatPrefix = $"{vs.Key.Name}.{vs.Key.Namespace}", WeightedClusters = weighted });
    }

    /// <summary>The destination's cluster: its port, else its service's only port, else the listener's.</summary>
    private string Cluster(Destination destination, int port)
    {
        var service = _services.Find(destination.Host, _scope.Namespace);
        var ports = service?.Ports.Where(p => p.Protocol != MeshProtocol.Udp).Select(p => p.Port).ToList() ?? [];
        return DestinationClusters.For(destination, port, ports.Count, ports.Count == 1 ? ports[0] : 0);
    }

    private static Filter ServiceFilter(ListenerContribution contribution)
    {
        var cluster = MeshNames.OutboundCluster(contribution.Port.Port, contribution.Service.Hostname);
        return NetworkFilters.TcpProxy(cluster, cluster);
    }

    private static bool IsTls(MeshServicePort port) => port.Protocol is MeshProtocol.Https or MeshProtocol.Tls;
}
