using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Ejection;
using ControlPlane.XdsServer.Generation.Grpc;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Routing;
using ControlPlane.XdsServer.Generation.Traffic;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Turns a mesh snapshot and a proxy view into Envoy resources. Pure with respect to its inputs: the
/// memos only avoid rebuilding what an earlier call already built from the same objects.
/// </summary>
/// <remarks>
/// Services come from the <see cref="ServiceIndex"/>: the <see cref="ServiceScope"/> of the proxy's
/// namespace lists every service it sees (Kubernetes Services and ServiceEntry hosts, by exportTo) in
/// istiod's order, and every builder takes a <see cref="HostService"/>. Per-service resources are
/// memoized by the HostService instance (<see cref="ServiceOutputs"/>: clusters per
/// DestinationRule instance, assignments per endpoint inputs), per-scope plans by the scope,
/// listeners by the service instances and VirtualServices they are made of, and routes by
/// VirtualService, virtual host and route configuration (<see cref="OutboundRoutes"/>; proxyless
/// gRPC clients' per service port, <see cref="GrpcRoutes"/>, from the same VirtualService routes).
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
    private readonly OutboundRoutes _routes;
    private readonly GrpcRoutes _grpcRoutes;
    private readonly InputMemo<ListenerKey, BuiltListener> _outboundListeners = new();
    private readonly InputMemo<(string Shape, IpFamilies Families), XdsResource> _inboundListeners = new();
    private readonly InputMemo<(InboundPort Port, string Bind), XdsResource> _inboundClusters = new();
    private readonly ResourceSetInterner _sets = new();
    private readonly ConditionalWeakTable<HostService, ServiceOutputs>.CreateValueCallback _newOutputs;

    // Per snapshot, what views that differ only in their inbound ports share (see SidecarOutbound).
    private readonly ConditionalWeakTable<MeshSnapshot, ConcurrentDictionary<ProxyView, Lazy<SidecarOutboundConfig>>> _sidecarOutbound = new();
    private readonly ConditionalWeakTable<MeshSnapshot, ConcurrentDictionary<EndpointsKey, Lazy<ResourceSet>>> _endpoints = new();

    /// <param name="options">Settings for every proxy; the defaults are istiod 1.10's.</param>
    public ConfigGenerator(GenerationOptions? options = null)
    {
        _options = options ?? new GenerationOptions();
        _routes = new OutboundRoutes(Stats, _options.ClusterDomain);
        _grpcRoutes = new GrpcRoutes(Stats, _routes);
        _newOutputs = s => new ServiceOutputs(s, Stats, _options);
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
        if (previous is not null)
        {
            return new ProxyConfig(mesh.Version, previous.Clusters, SharedEndpoints(mesh, scope, view, previous.EndpointTargets), previous.Listeners, previous.Routes)
            {
                EndpointTargets = previous.EndpointTargets,
                Notices = previous.Notices,
            };
        }

        if (view.Kind == ProxyKind.Sidecar)
        {
            var outboundConfig = SidecarOutbound(mesh, scope, view);
            var clusters = SidecarClusters([.. outboundConfig.Clusters], view);
            return new ProxyConfig(mesh.Version, clusters, outboundConfig.Endpoints, SidecarListeners(outboundConfig.Listeners, view), outboundConfig.Routes)
            {
                EndpointTargets = outboundConfig.Targets,
                Notices = MosnOutlierNotices.For(mesh, view, clusters, _options.ClusterDomain),
            };
        }

        var (outbound, targets) = OutboundClusters(mesh, scope, view);
        var endpoints = SharedEndpoints(mesh, scope, view, targets);
        switch (view.Kind)
        {
            case ProxyKind.Grpc:
                return new ProxyConfig(
                    mesh.Version,
                    _sets.Intern(outbound),
                    endpoints,
                    FirstByName(Services(scope).SelectMany(s => Outputs(s).GrpcListeners)),
                    _sets.Intern(_grpcRoutes.Build(mesh, Services(scope), view))) { EndpointTargets = targets };
            default:
                // Gateways get listeners and routes from Gateway resources, which are not translated yet.
                return new ProxyConfig(mesh.Version, SidecarClusters(outbound, view), endpoints, ResourceSet.Empty, ResourceSet.Empty) { EndpointTargets = targets };
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

        _outboundListeners.RetainWhere(k => liveListeners.Contains((k.Scope, k.Wildcard, k.Bind, k.Port)) &&
            (k.Routing.Length == 0 || namespaces.Contains(k.Routing[..k.Routing.IndexOf('|', StringComparison.Ordinal)])));
        var routeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plan in namespaces.Select(ns => PlanOf(mesh, index.ScopeOf(ns))).Distinct())
        {
            routeNames.UnionWith(plan.Ports.ByPort.Keys.Select(MeshNames.OutboundRoute).Concat(plan.Listeners.SniffedRoutes));
        }

        _routes.Compact(mesh, namespaces, routeNames);
        _grpcRoutes.Compact(mesh, namespaces);
    }

    /// <summary>The services of a scope that generation builds for.</summary>
    private static IEnumerable<HostService> Services(ServiceScope scope) => scope.Services;

    /// <summary>The resources of each name the first service yields, as istiod keeps the first of clusters with one name.</summary>
    private ResourceSet FirstByName(IEnumerable<XdsResource> resources)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        return _sets.Intern(resources.Where(r => names.Add(r.Name)).ToList());
    }

    private ServiceOutputs Outputs(HostService service) =>
        _services.TryGetValue(service, out var outputs) ? outputs : _services.GetValue(service, _newOutputs);

    /// <summary>The scope's port index and outbound listener plan (see <see cref="OutboundListenerPlan"/>).</summary>
    private ScopePlan PlanOf(MeshSnapshot mesh, ServiceScope scope) =>
        _scopes.GetValue(scope, s => new ScopePlan(new PortIndex(Services(s)), new OutboundListenerPlan(mesh, Services(s))));

    /// <summary>
    /// The outbound clusters of every service the view's namespace sees, each under the
    /// DestinationRule that namespace sees for the service's host, the
    /// first of each name kept as istiod keeps it, and the EDS assignments the kept ones need.
    /// </summary>
    private (List<XdsResource> Clusters, ImmutableArray<EdsTarget> Targets) OutboundClusters(MeshSnapshot mesh, ServiceScope scope, ProxyView view)
    {
        var rules = mesh.DestinationRules.IsEmpty ? null : DestinationRuleIndex.Of(mesh, _options.ClusterDomain);
        var workloads = WorkloadIndex.Of(mesh);
        var interfaces = InterfaceOutlierIndex.Of(mesh, _options.ClusterDomain);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var clusters = new List<XdsResource>();
        var targets = ImmutableArray.CreateBuilder<EdsTarget>();
        foreach (var service in Services(scope))
        {
            var rule = rules?.For(view.Namespace, service.Hostname, service.Namespace);
            // Proxyless gRPC gets EDS clusters only, which carry no endpoints.
            var endpoints = view.Kind == ProxyKind.Grpc ? HostEndpoints.None : workloads.MergedEndpointsOf(service);
            var built = InterfaceClusters.With(Outputs(service).Clusters(view.Kind, rule, view.Locality, endpoints), interfaces, view.Kind);
            var start = clusters.Count;
            foreach (var cluster in built.Clusters)
            {
                if (names.Add(cluster.Name))
                {
                    clusters.Add(cluster);
                }
            }

            // Every target is one of the service's clusters: when all of them were added (the usual
            // case, and this runs per service and namespace at every push) every target stays.
            if (clusters.Count - start == built.Clusters.Length)
            {
                targets.AddRange(built.EdsTargets);
            }
            else
            {
                var added = clusters.Skip(start).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
                targets.AddRange(built.EdsTargets.Where(t => added.Contains(t.ClusterName)));
            }
        }

        return (clusters, targets.ToImmutable());
    }

    /// <summary>
    /// The assignments of the view's EDS clusters (<paramref name="targets"/>); ORIGINAL_DST and
    /// STRICT_DNS clusters have none. As istiod's EDS, a cluster's endpoints are those of the
    /// service the proxy finds by the host name (its last definition the proxy sees), from every
    /// definition of that host in that service's namespace, of a subset those with its labels; a
    /// port that service lacks has an empty assignment.
    /// </summary>
    private ResourceSet Endpoints(MeshSnapshot mesh, ServiceScope scope, ProxyView view, ImmutableArray<EdsTarget> targets)
    {
        var oneLocality = view.Flavor == ProxyFlavor.Mosn;
        var index = ServiceIndex.Of(mesh);
        var workloads = WorkloadIndex.Of(mesh);
        return _sets.Intern(targets.Select(target =>
        {
            var found = index.Find(target.Service.Hostname, scope) ?? target.Service;
            // DNS services' endpoints are resolved by the proxy, never sent over EDS (istiod keeps none for them).
            var endpoints = found.Resolution == MeshResolution.DnsLb ? HostEndpoints.None : workloads.MergedEndpointsOf(found);
            return Outputs(found).Assignment(mesh, target, endpoints, oneLocality, view.Locality);
        }).ToList());
    }

    /// <summary>
    /// A sidecar's outbound clusters, endpoints, listeners and routes: made once per snapshot for
    /// all views that differ only in their inbound ports (the pods of a namespace serving different
    /// ports), as nothing outbound depends on those. At 50 namespaces and three kinds of workload
    /// that is 50 outbound generations per push instead of 150.
    /// </summary>
    private SidecarOutboundConfig SidecarOutbound(MeshSnapshot mesh, ServiceScope scope, ProxyView view) =>
        OncePerSnapshot(_sidecarOutbound, mesh, OutboundViewOf(view), () =>
        {
            Stats.CountSidecarOutbound();
            var (clusters, targets) = OutboundClusters(mesh, scope, view);
            var (listeners, routes) = SidecarOutboundListenersAndRoutes(mesh, scope, view);
            return new SidecarOutboundConfig(clusters, targets, SharedEndpoints(mesh, scope, view, targets), listeners, routes);
        });

    /// <summary>
    /// The endpoints of <paramref name="targets"/> for <paramref name="view"/>, made once per
    /// snapshot for every view with the same service scope, data plane, locality and targets: all
    /// an assignment depends on (see <see cref="Endpoints"/>). Proxies of every namespace that sees
    /// only public services so share one, and an endpoint push regenerates it once, not once per view.
    /// </summary>
    private ResourceSet SharedEndpoints(MeshSnapshot mesh, ServiceScope scope, ProxyView view, ImmutableArray<EdsTarget> targets) =>
        OncePerSnapshot(_endpoints, mesh, new EndpointsKey(scope, view.Flavor, view.Locality, targets), () =>
        {
            Stats.CountEndpointSet();
            return Endpoints(mesh, scope, view, targets);
        });

    /// <summary>
    /// The value of <paramref name="key"/> for <paramref name="mesh"/>, made once by whichever
    /// generation asks first while the others wait for it (a failure is kept, as it would recur).
    /// </summary>
    private static T OncePerSnapshot<TKey, T>(ConditionalWeakTable<MeshSnapshot, ConcurrentDictionary<TKey, Lazy<T>>> table, MeshSnapshot mesh, TKey key, Func<T> make)
        where TKey : notnull =>
        table.GetValue(mesh, _ => new()).GetOrAdd(key, _ => new Lazy<T>(make)).Value;

    /// <summary>The view as outbound config sees it: everything but the inbound ports.</summary>
    private static ProxyView OutboundViewOf(ProxyView view) =>
        view.Inbound.IsEmpty ? view : view with { Inbound = ImmutableArray<InboundPort>.Empty };

    /// <summary>The outbound clusters, then the inbound ones of the view's ports and the fixed ones.</summary>
    private ResourceSet SidecarClusters(List<XdsResource> outbound, ProxyView view)
    {
        var clusters = outbound;
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

        return _sets.Intern(clusters);
    }

    /// <summary>virtualOutbound, virtualInbound (of the view's ports), then the outbound listeners.</summary>
    private ResourceSet SidecarListeners(IReadOnlyList<XdsResource> outbound, ProxyView view)
    {
        var listeners = new List<XdsResource>(outbound.Count + 2) { view.Wildcard == MeshNames.UnspecifiedAddress ? VirtualOutbound : VirtualOutboundIpv6 };
        var shape = string.Join(',', view.Inbound.Select(p => $"{p.Port}/{p.Protocol}"));
        listeners.Add(_inboundListeners.Get((shape, view.IpFamilies), [], () =>
            Built(XdsResource.Create(MeshNames.VirtualInbound, VirtualListenerBuilder.VirtualInbound(view.Inbound, view.IpFamilies)))));
        listeners.AddRange(outbound);
        return _sets.Intern(listeners);
    }

    /// <summary>The outbound listeners (without the virtual ones) and the route configurations they name.</summary>
    private (List<XdsResource> Listeners, ResourceSet Routes) SidecarOutboundListenersAndRoutes(MeshSnapshot mesh, ServiceScope scope, ProxyView view)
    {
        var wildcard = view.Wildcard;
        var listeners = new List<XdsResource>();
        var plan = PlanOf(mesh, scope);
        var routes = new Dictionary<string, RouteReference>(StringComparer.Ordinal);
        var routing = new TcpRouting(mesh, _options.ClusterDomain, RouteScope.Of(view));
        foreach (var (key, contributions) in plan.Listeners.For(wildcard))
        {
            // istiod builds no listener to the proxy's own address: its own traffic never reaches one.
            if (key.Bind == view.OwnEndpointAddress)
            {
                continue;
            }

            // Listeners no VirtualService TCP or TLS rule shapes are shared by every proxy of the scope and data plane.
            var virtualServices = contributions.SelectMany(c => routing.For(c)).Distinct().ToList();
            var routingKey = virtualServices.Count == 0 ? string.Empty : routing.ScopeKey;
            var inputs = contributions.Select(c => (object)c.Service).Concat(virtualServices).Concat(routing.DestinationInputs(virtualServices)).ToArray();
            var built = _outboundListeners.Get(new ListenerKey(scope.Key, wildcard, key.Bind, key.Port, view.Flavor, routingKey), inputs, () =>
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

        return (listeners, _sets.Intern(_routes.Build(mesh, plan.Ports, routes.Values, view).ToList()));
    }

    private XdsResource Built(XdsResource resource)
    {
        Stats.CountResources(1);
        return resource;
    }

    /// <summary>
    /// What a view's endpoints depend on: the scope its hosts resolve in, MOSN's single locality,
    /// the locality priorities are relative to, and the targets, compared element by element by
    /// identity (each namespace builds its own array, of the same memoized targets).
    /// </summary>
    private readonly struct EndpointsKey(ServiceScope scope, ProxyFlavor flavor, LocalityLabel? locality, ImmutableArray<EdsTarget> targets) : IEquatable<EndpointsKey>
    {
        private readonly int _hash = HashOf(scope, flavor, locality, targets);

        public ServiceScope Scope { get; } = scope;

        public ProxyFlavor Flavor { get; } = flavor;

        public LocalityLabel? Locality { get; } = locality;

        public ImmutableArray<EdsTarget> Targets { get; } = targets;

        public bool Equals(EndpointsKey other) =>
            _hash == other._hash && Scope == other.Scope && Flavor == other.Flavor && Equals(Locality, other.Locality) &&
            Targets.Length == other.Targets.Length && Targets.AsSpan().SequenceEqual(other.Targets.AsSpan(), ReferenceEqualityComparer.Instance);

        public override bool Equals(object? obj) => obj is EndpointsKey other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int HashOf(ServiceScope scope, ProxyFlavor flavor, LocalityLabel? locality, ImmutableArray<EdsTarget> targets)
        {
            var hash = new HashCode();
            hash.Add(scope);
            hash.Add(flavor);
            hash.Add(locality);
            foreach (var target in targets)
            {
                hash.Add(RuntimeHelpers.GetHashCode(target));
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>A sidecar's outbound config, shared by views that differ only in inbound ports; the lists are never changed once made.</summary>
    private sealed record SidecarOutboundConfig(IReadOnlyList<XdsResource> Clusters, ImmutableArray<EdsTarget> Targets, ResourceSet Endpoints, IReadOnlyList<XdsResource> Listeners, ResourceSet Routes);

    /// <summary>What a scope's listeners and routes are planned from, made once per scope (and so per snapshot).</summary>
    private sealed record ScopePlan(PortIndex Ports, OutboundListenerPlan Listeners);

    /// <summary>
    /// An outbound listener's memo key: the service scope it is planned from, the proxy's wildcard,
    /// address and port, the data plane (MOSN's TCP chains differ, see <see cref="TcpRouting"/>),
    /// and <see cref="TcpRouting.ScopeKey"/> when VirtualService TCP or TLS rules shape it (empty otherwise).
    /// </summary>
    private readonly record struct ListenerKey(string Scope, string Wildcard, string Bind, int Port, ProxyFlavor Flavor, string Routing);
}
