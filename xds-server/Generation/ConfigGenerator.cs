using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Turns a mesh snapshot and a proxy view into Envoy resources. Pure with respect to its inputs: the
/// memos only avoid rebuilding what an earlier call already built from the same objects.
/// </summary>
/// <remarks>
/// Services come from the <see cref="ServiceIndex"/>: the <see cref="ServiceScope"/> of the proxy's
/// namespace lists every service it sees (Kubernetes Services and ServiceEntry hosts, by exportTo) in
/// istiod's order, and every builder takes a <see cref="HostService"/>. Per-service resources are
/// memoized by the HostService instance (<see cref="ServiceOutputs"/>), per-scope plans by the scope,
/// and listeners and routes by the service instances they are made of.
/// </remarks>
public sealed class ConfigGenerator
{
    private static readonly XdsResource BlackHole = XdsResource.Create(MeshNames.BlackHoleCluster, ClusterBuilder.BlackHole());
    private static readonly XdsResource Passthrough = XdsResource.Create(MeshNames.PassthroughCluster, ClusterBuilder.Passthrough());
    private static readonly XdsResource InboundPassthrough = XdsResource.Create(MeshNames.InboundPassthroughCluster, ClusterBuilder.InboundPassthrough());
    private static readonly XdsResource InboundPassthroughIpv6 = XdsResource.Create(MeshNames.InboundPassthroughClusterIpv6, ClusterBuilder.InboundPassthrough(ipv6: true));
    private static readonly XdsResource VirtualOutbound = XdsResource.Create(MeshNames.VirtualOutbound, VirtualListenerBuilder.VirtualOutbound());
    private static readonly XdsResource VirtualOutboundIpv6 = XdsResource.Create(MeshNames.VirtualOutbound, VirtualListenerBuilder.VirtualOutbound(MeshNames.UnspecifiedAddressIpv6));

    private readonly GenerationOptions _options;
    private readonly ConditionalWeakTable<HostService, ServiceOutputs> _services = new();
    private readonly ConditionalWeakTable<ServiceScope, ScopePlan> _scopes = new();
    private readonly InputMemo<(string Name, string Namespace), XdsResource> _routes = new();
    private readonly InputMemo<(string Scope, string Wildcard, string Bind, int Port), BuiltListener> _outboundListeners = new();
    private readonly InputMemo<(string Shape, IpFamilies Families), XdsResource> _inboundListeners = new();
    private readonly InputMemo<(InboundPort Port, string Bind), XdsResource> _inboundClusters = new();

    /// <param name="options">Settings for every proxy; the defaults are istiod 1.10's.</param>
    public ConfigGenerator(GenerationOptions? options = null)
    {
        _options = options ?? new GenerationOptions();
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
        var scope = ServiceIndex.Of(mesh).ScopeOf(view.Namespace);
        var endpoints = Endpoints(mesh, scope, view);
        if (previous is not null)
        {
            return new ProxyConfig(mesh.Version, previous.Clusters, endpoints, previous.Listeners, previous.Routes) { Notices = previous.Notices };
        }

        switch (view.Kind)
        {
            case ProxyKind.Sidecar:
                var (listeners, routes) = SidecarListenersAndRoutes(mesh, scope, view);
                var clusters = SidecarClusters(mesh, scope, view);
                return new ProxyConfig(mesh.Version, clusters, endpoints, listeners, routes) { Notices = MosnOutlierNotices.For(mesh, view, clusters, _options.ClusterDomain) };
            case ProxyKind.Grpc:
                return new ProxyConfig(
                    mesh.Version,
                    FirstByName(Services(scope).SelectMany(s => Outputs(s).Clusters(ProxyKind.Grpc, HostEndpoints.None))),
                    endpoints,
                    FirstByName(Services(scope).SelectMany(s => Outputs(s).GrpcListeners)),
                    FirstByName(Services(scope).SelectMany(s => Outputs(s).GrpcRoutes)));
            default:
                // Gateways get listeners and routes from Gateway resources, which are not translated yet.
                return new ProxyConfig(mesh.Version, SidecarClusters(mesh, scope, view), endpoints, ResourceSet.Empty, ResourceSet.Empty);
        }
    }

    /// <summary>Drops memo entries for listeners, routes and namespaces the mesh no longer has.</summary>
    public void Compact(MeshSnapshot mesh, IReadOnlySet<string> namespaces)
    {
        var index = ServiceIndex.Of(mesh);
        var liveListeners = new HashSet<(string, string, string, int)>();
        foreach (var group in _outboundListeners.Keys.GroupBy(k => k.Scope, StringComparer.Ordinal))
        {
            var scope = group.Key == ServiceScope.PublicKey ? index.PublicScope : index.ScopeOf(group.Key);
            if (scope.Key != group.Key)
            {
                continue;
            }

            var plan = PlanOf(mesh, scope).Listeners;
            foreach (var wildcard in group.Select(k => k.Wildcard).Distinct(StringComparer.Ordinal))
            {
                liveListeners.UnionWith(plan.For(wildcard).Keys.Select(key => (scope.Key, wildcard, key.Bind, key.Port)));
            }
        }

        _outboundListeners.RetainOnly(liveListeners);
        var liveRoutes = new HashSet<(string, string)>();
        foreach (var ns in namespaces)
        {
            var plan = PlanOf(mesh, index.ScopeOf(ns));
            liveRoutes.UnionWith(plan.Ports.ByPort.Keys.Select(MeshNames.OutboundRoute).Concat(plan.Listeners.SniffedRoutes).Select(name => (name, ns)));
        }

        _routes.RetainOnly(liveRoutes);
    }

    /// <summary>The services of a scope that generation builds for.</summary>
    private static IEnumerable<HostService> Services(ServiceScope scope) => scope.Services;

    /// <summary>The resources of each name the first service yields, as istiod keeps the first of clusters with one name.</summary>
    private static ResourceSet FirstByName(IEnumerable<XdsResource> resources)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        return new ResourceSet(resources.Where(r => names.Add(r.Name)).ToList());
    }

    private ServiceOutputs Outputs(HostService service) =>
        _services.GetValue(service, s => new ServiceOutputs(s, Stats, _options));

    /// <summary>The scope's port index and outbound listener plan (see <see cref="OutboundListenerPlan"/>).</summary>
    private ScopePlan PlanOf(MeshSnapshot mesh, ServiceScope scope) =>
        _scopes.GetValue(scope, s => new ScopePlan(new PortIndex(Services(s)), new OutboundListenerPlan(mesh, Services(s))));

    /// <summary>
    /// Assignments for the clusters this kind of proxy fetches over EDS; none for ORIGINAL_DST and
    /// STRICT_DNS clusters. As istiod's EDS, a cluster's endpoints are those of the service the
    /// proxy finds by the host name (its last definition the proxy sees), from every definition of
    /// that host in that service's namespace; a port that service lacks has an empty assignment.
    /// </summary>
    private ResourceSet Endpoints(MeshSnapshot mesh, ServiceScope scope, ProxyView view)
    {
        var oneLocality = view.Flavor == ProxyFlavor.Mosn;
        var index = ServiceIndex.Of(mesh);
        var workloads = WorkloadIndex.Of(mesh);
        var assignments = new List<XdsResource>();
        foreach (var service in Services(scope).Where(s => ClusterBuilder.IsEds(s, view.Kind, _options.EnableEdsForHeadlessServices)))
        {
            var found = index.Find(service.Hostname, scope) ?? service;
            // DNS services' endpoints are resolved by the proxy, never sent over EDS (istiod keeps none for them).
            var own = Outputs(found).Endpoints(found.Resolution == MeshResolution.DnsLb ? HostEndpoints.None : workloads.MergedEndpointsOf(found), oneLocality);
            assignments.AddRange(own);
            if (!ReferenceEquals(found, service))
            {
                assignments.AddRange(service.Ports
                    .Where(p => p.Protocol != MeshProtocol.Udp && found.FindPort(p.Port) is null)
                    .Select(p => XdsResource.Create(MeshNames.OutboundCluster(p.Port, service.Hostname), new Envoy.Config.Endpoint.V3.ClusterLoadAssignment { ClusterName = MeshNames.OutboundCluster(p.Port, service.Hostname) })));
            }
        }

        return FirstByName(assignments);
    }

    private ResourceSet SidecarClusters(MeshSnapshot mesh, ServiceScope scope, ProxyView view)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var workloads = WorkloadIndex.Of(mesh);
        var clusters = Services(scope).SelectMany(s => Outputs(s).Clusters(view.Kind, workloads.MergedEndpointsOf(s))).Where(c => names.Add(c.Name)).ToList();
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

    private (ResourceSet Listeners, ResourceSet Routes) SidecarListenersAndRoutes(MeshSnapshot mesh, ServiceScope scope, ProxyView view)
    {
        var wildcard = view.Wildcard;
        var listeners = new List<XdsResource> { wildcard == MeshNames.UnspecifiedAddress ? VirtualOutbound : VirtualOutboundIpv6 };
        var shape = string.Join(',', view.Inbound.Select(p => $"{p.Port}/{p.Protocol}"));
        listeners.Add(_inboundListeners.Get((shape, view.IpFamilies), [], () =>
            Built(XdsResource.Create(MeshNames.VirtualInbound, VirtualListenerBuilder.VirtualInbound(view.Inbound, view.IpFamilies)))));

        var plan = PlanOf(mesh, scope);
        var routes = new Dictionary<string, RouteReference>(StringComparer.Ordinal);
        foreach (var (key, contributions) in plan.Listeners.For(wildcard))
        {
            // istiod builds no listener to the proxy's own address: its own traffic never reaches one.
            if (key.Bind == view.OwnEndpointAddress)
            {
                continue;
            }

            var built = _outboundListeners.Get((scope.Key, wildcard, key.Bind, key.Port), contributions.Select(c => (object)c.Service).ToArray(), () =>
            {
                var listener = OutboundListenerBuilder.Build(key.Bind, key.Port, wildcard, contributions);
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

        return (new ResourceSet(listeners), new ResourceSet(routes.Values.Select(route => Route(plan, route, view.Namespace))));
    }

    private XdsResource Route(ScopePlan plan, RouteReference route, string proxyNamespace)
    {
        if (route.Service is { } service)
        {
            return _routes.Get((route.Name, proxyNamespace), [service], () =>
                Built(XdsResource.Create(route.Name, RouteBuilder.Sniffed(service, route.Port, proxyNamespace, _options.ClusterDomain))));
        }

        // Every service with an HTTP or sniffed port of this number has a virtual host, as in istiod.
        var services = plan.Ports.ByPort[route.Port];
        return _routes.Get((route.Name, proxyNamespace), services.Select(s => (object)s.Service).ToArray(), () =>
            Built(XdsResource.Create(route.Name, RouteBuilder.Outbound(route.Port, services, proxyNamespace, _options.ClusterDomain))));
    }

    private XdsResource Built(XdsResource resource)
    {
        Stats.CountResources(1);
        return resource;
    }

    /// <summary>What a scope's listeners and routes are planned from, made once per scope (and so per snapshot).</summary>
    private sealed record ScopePlan(PortIndex Ports, OutboundListenerPlan Listeners);
}
