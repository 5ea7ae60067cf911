using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Routing;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Turns a mesh snapshot and a proxy view into Envoy resources. Pure with respect to its inputs: the
/// memos only avoid rebuilding what an earlier call already built from the same objects.
/// </summary>
public sealed class ConfigGenerator
{
    private static readonly XdsResource BlackHole = XdsResource.Create(MeshNames.BlackHoleCluster, ClusterBuilder.BlackHole());
    private static readonly XdsResource Passthrough = XdsResource.Create(MeshNames.PassthroughCluster, ClusterBuilder.Passthrough());
    private static readonly XdsResource InboundPassthrough = XdsResource.Create(MeshNames.InboundPassthroughCluster, ClusterBuilder.InboundPassthrough());
    private static readonly XdsResource InboundPassthroughIpv6 = XdsResource.Create(MeshNames.InboundPassthroughClusterIpv6, ClusterBuilder.InboundPassthrough(ipv6: true));
    private static readonly XdsResource VirtualOutbound = XdsResource.Create(MeshNames.VirtualOutbound, VirtualListenerBuilder.VirtualOutbound());
    private static readonly XdsResource VirtualOutboundIpv6 = XdsResource.Create(MeshNames.VirtualOutbound, VirtualListenerBuilder.VirtualOutbound(MeshNames.UnspecifiedAddressIpv6));

    private readonly GenerationOptions _options;
    private readonly ConditionalWeakTable<MeshService, ServiceOutputs> _services = new();
    private readonly ConditionalWeakTable<MeshSnapshot, PortIndex> _portIndexes = new();
    private readonly ConditionalWeakTable<MeshSnapshot, OutboundListenerPlan> _listenerPlans = new();
    private readonly OutboundRoutes _routes;
    /// <summary>Outbound listeners by address and port; Scope is empty unless VirtualService TCP or TLS rules shape them (see <see cref="TcpRouting"/>).</summary>
    private readonly InputMemo<(string Wildcard, string Bind, int Port, string Scope), BuiltListener> _outboundListeners = new();
    private readonly InputMemo<(string Shape, IpFamilies Families), XdsResource> _inboundListeners = new();
    private readonly InputMemo<(InboundPort Port, string Bind), XdsResource> _inboundClusters = new();

    /// <param name="options">Settings for every proxy; the defaults are istiod 1.10's.</param>
    public ConfigGenerator(GenerationOptions? options = null)
    {
        _options = options ?? new GenerationOptions();
        _routes = new OutboundRoutes(Stats, _options.ClusterDomain);
    }

    public GenerationStats Stats { get; } = new();

    /// <param name="previous">
    /// This view's config from the snapshot before, when only endpoints changed since (a
    /// <see cref="MeshChange.IsEndpointOnly"/> change, which never involves a headless service, whose
    /// listeners depend on endpoints): its clusters, listeners and routes are kept and only endpoints
    /// are regenerated.
    /// </param>
    public ProxyConfig Generate(MeshSnapshot mesh, ProxyView view, ProxyConfig? previous = null)
    {
        Stats.CountView();
        var endpoints = Endpoints(mesh, view);
        if (previous is not null)
        {
            return new ProxyConfig(mesh.Version, previous.Clusters, endpoints, previous.Listeners, previous.Routes);
        }

        switch (view.Kind)
        {
            case ProxyKind.Sidecar:
                var (listeners, routes) = SidecarListenersAndRoutes(mesh, view);
                return new ProxyConfig(mesh.Version, SidecarClusters(mesh, view), endpoints, listeners, routes);
            case ProxyKind.Grpc:
                return new ProxyConfig(
                    mesh.Version,
                    new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).Clusters(ProxyKind.Grpc))),
                    endpoints,
                    new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).GrpcListeners)),
                    new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).GrpcRoutes)));
            default:
                // Gateways get listeners and routes from Gateway resources, which are not translated yet.
                return new ProxyConfig(mesh.Version, SidecarClusters(mesh, view), endpoints, ResourceSet.Empty, ResourceSet.Empty);
        }
    }

    /// <summary>Drops memo entries for listeners, routes and namespaces the mesh no longer has.</summary>
    public void Compact(MeshSnapshot mesh, IReadOnlySet<string> namespaces)
    {
        var plan = PlanOf(mesh);
        _outboundListeners.RetainWhere(k => plan.For(k.Wildcard).ContainsKey((k.Bind, k.Port)) &&
            (k.Scope.Length == 0 || namespaces.Contains(k.Scope[..k.Scope.IndexOf('|', StringComparison.Ordinal)])));
        var routeNames = PortsOf(mesh).ByPort.Keys.Select(MeshNames.OutboundRoute).Concat(plan.SniffedRoutes).ToHashSet(StringComparer.Ordinal);
        _routes.Compact(mesh, namespaces, routeNames);
    }

    private ServiceOutputs Outputs(MeshService service) =>
        _services.GetValue(service, s => new ServiceOutputs(s, Stats, _options));

    private PortIndex PortsOf(MeshSnapshot mesh) => _portIndexes.GetValue(mesh, m => new PortIndex(m));

    /// <summary>The snapshot's outbound listener plan (see <see cref="OutboundListenerPlan"/>).</summary>
    private OutboundListenerPlan PlanOf(MeshSnapshot mesh) => _listenerPlans.GetValue(mesh, m => new OutboundListenerPlan(m));

    /// <summary>Assignments for the clusters this kind of proxy fetches over EDS; none for ORIGINAL_DST and STRICT_DNS clusters.</summary>
    private ResourceSet Endpoints(MeshSnapshot mesh, ProxyView view)
    {
        var oneLocality = view.Flavor == ProxyFlavor.Mosn;
        return new ResourceSet(mesh.Services.Values
            .Where(s => ClusterBuilder.IsEds(s, view.Kind, _options.EnableEdsForHeadlessServices))
            .SelectMany(s => Outputs(s).Endpoints(mesh.SlicesOf(s.Key), oneLocality)));
    }

    private ResourceSet SidecarClusters(MeshSnapshot mesh, ProxyView view)
    {
        var clusters = mesh.Services.Values.SelectMany(s => Outputs(s).Clusters(view.Kind)).ToList();
        foreach (var port in view.Inbound)
        {
            clusters.Add(_inboundClusters.Get((port, view.InboundBindAddress), [], () =>
                Built(XdsResource.Create(MeshNames.InboundCluster(port.Port), ClusterBuilder.Inbound(port, view.InboundBindAddress)))));
        }

        clusters.Add(BlackHole);
        clusters.Add(Passthrough);
        if (view.Kind == ProxyKind.Sidecar)
        {
            // One per IP family the proxy has: Envoy refuses a bind address of a family it cannot use.
            if (view.IpFamilies.HasFlag(IpFamilies.IPv4))
            {
                clusters.Add(InboundPassthrough);
            }

            if (view.IpFamilies.HasFlag(IpFamilies.IPv6))
            {
                clusters.Add(InboundPassthroughIpv6);
            }
        }

        return new ResourceSet(clusters);
    }

    private (ResourceSet Listeners, ResourceSet Routes) SidecarListenersAndRoutes(MeshSnapshot mesh, ProxyView view)
    {
        var wildcard = view.Wildcard;
        var listeners = new List<XdsResource> { wildcard == MeshNames.UnspecifiedAddress ? VirtualOutbound : VirtualOutboundIpv6 };
        var shape = string.Join(',', view.Inbound.Select(p => $"{p.Port}/{p.Protocol}"));
        listeners.Add(_inboundListeners.Get((shape, view.IpFamilies), [], () =>
            Built(XdsResource.Create(MeshNames.VirtualInbound, VirtualListenerBuilder.VirtualInbound(view.Inbound, view.IpFamilies)))));

        var routes = new Dictionary<string, RouteReference>(StringComparer.Ordinal);
        var routing = new TcpRouting(mesh, _options.ClusterDomain, RouteScope.Of(view));
        foreach (var (key, contributions) in PlanOf(mesh).For(wildcard))
        {
            // istiod builds no listener to the proxy's own address: its own traffic never reaches one.
            if (key.Bind == view.OwnEndpointAddress)
            {
                continue;
            }

            // Listeners no VirtualService TCP or TLS rule shapes are shared by every proxy.
            var virtualServices = contributions.SelectMany(c => routing.For(c)).Distinct().ToList();
            var scope = virtualServices.Count == 0 ? string.Empty : routing.ScopeKey;
            var inputs = contributions.Select(c => (object)c.Service).Concat(virtualServices).Concat(routing.DestinationInputs(virtualServices)).ToArray();
            var built = _outboundListeners.Get((wildcard, key.Bind, key.Port, scope), inputs, () =>
            {
                var listener = OutboundListenerBuilder.Build(key.Bind, key.Port, wildcard, contributions, routing);
                return listener is null ? BuiltListener.None : new BuiltListener(Built(XdsResource.Create(listener.Listener.Name, listener.Listener)), listener.Routes);
            });
            if (built.Resource is null)
            {
                continue;
            }

            listeners.Add(built.Resource);
            foreach (var route in built.Routes)
            {
                routes.TryAdd(route.Name, route);
            }
        }

        return (new ResourceSet(listeners), new ResourceSet(_routes.Build(mesh, PortsOf(mesh), routes.Values, view)));
    }

    private XdsResource Built(XdsResource resource)
    {
        Stats.CountResources(1);
        return resource;
    }
}
