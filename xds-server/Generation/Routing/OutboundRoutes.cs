using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Ejection;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// The outbound route configurations of a sidecar, as istiod 1.10's
/// buildSidecarOutboundHTTPRouteConfig builds them for the catch-all egress listener: for port P,
/// every VirtualService the proxy sees (in istiod's order) claims the services on P its hosts name
/// (exactly or by wildcard) when some of its rules apply to the proxy, and brings a virtual host for
/// each of its hosts no service on P answers to (those land on port 80, as in istiod); every HTTP or
/// sniffed service on P no VirtualService claimed gets its default route; a name or domain already
/// taken is dropped; virtual hosts are sorted by name; "P" ends with allow_any, "HOST:P" (a sniffed
/// port bound to one address) keeps only the virtual host answering to HOST:P.
/// </summary>
/// <remarks>
/// Memoized in four layers, each by the identity of its inputs: a VirtualService's routes for a
/// port (inputs: the resolved VirtualService and the hash policies the DestinationRules of its
/// destinations give them, by value, so a rule change that keeps them rebuilds no route), a virtual
/// host (its service or host name and its routes), a port's assembled virtual hosts per scope (the
/// hosts, services and routes of its wrappers: a service added on another port assembles nothing
/// here), a route configuration (its virtual hosts); routes
/// to a host with an InterfaceOutlierDetection are expanded with its interface routes in between, keyed
/// as the routes and memoized by them and the policies (see <see cref="InterfaceRoutes"/>). A
/// change to one VirtualService so rebuilds the routes and virtual hosts of its hosts, and
/// re-serializes the route configurations holding them, nothing else.
/// Routes and virtual hosts are keyed by what they depend on, not by the proxy's scope: routes by
/// which of the VirtualService's matches select the proxy (sourceLabels, sourceNamespace) and by
/// their hash policies, virtual hosts by their domains (a service's short names exist only for
/// proxies in its namespace) and data plane. Proxies of every namespace so share one instance of
/// each, rather than one per namespace (at 50 namespaces and 1,000 services, 50,000 virtual hosts
/// instead of about 2,000); route configurations still differ per namespace, by their virtual hosts.
/// </remarks>
internal sealed class OutboundRoutes
{
    /// <summary>Prefixes a service's host name in the memo key of its default route (VirtualServices are keyed "ns/name").</summary>
    private const string DefaultSource = "default:";

    private static readonly object NoRule = new();
    private static readonly VirtualHost AllowAny = RouteBuilder.AllowAny();

    private readonly GenerationStats _stats;
    private readonly string _clusterDomain;
    private readonly InputMemo<(string Source, int Port, string Variant), Route[]> _routes = new();
    private readonly InputMemo<(string Source, int Port, string Variant), Route[]> _interfaceRoutes = new();
    private readonly InputMemo<(string Name, string Variant), VirtualHost> _virtualHosts = new();
    private readonly InputMemo<(string Name, string Scope), XdsResource> _configs = new();
    private readonly InputMemo<(int Port, string Scope), List<VirtualHost>> _portHosts = new();

    public OutboundRoutes(GenerationStats stats, string clusterDomain)
    {
        _stats = stats;
        _clusterDomain = clusterDomain;
    }

    /// <summary>The route configurations <paramref name="references"/> name, for a sidecar with <paramref name="view"/>.</summary>
    public IEnumerable<XdsResource> Build(MeshSnapshot mesh, PortIndex ports, IEnumerable<RouteReference> references, ProxyView view)
    {
        var build = new Generation(this, mesh, ports, RouteScope.Of(view));
        return references.Select(build.Config).ToList();
    }

    /// <summary>
    /// The routes of one service port for a proxy with <paramref name="scope"/>, as its sidecar
    /// virtual host for the service carries them: those of the first VirtualService (in istiod's
    /// order) naming the host whose rules apply to the proxy and port, else the service's default
    /// route. Each array is the one sidecars of the scope share (same memo), so it keeps its
    /// identity while its VirtualService and hash policies do. For proxyless gRPC clients, which
    /// get one route configuration per service port; unlike sidecars, on any port, as a gRPC
    /// client speaks HTTP/2 whatever the port's name.
    /// </summary>
    /// <returns>A lookup by service and port number, valid for <paramref name="mesh"/>.</returns>
    public Func<HostService, int, Route[]> ServiceRoutes(MeshSnapshot mesh, RouteScope scope) =>
        new Generation(this, mesh, null, scope).ServiceRoutes;

    /// <summary>
    /// Forgets memo entries of namespaces, route configurations, hosts and VirtualServices the mesh
    /// no longer has, so that the memos do not grow as services and VirtualServices come and go.
    /// </summary>
    /// <param name="routeNames">The route configurations listeners may still ask for.</param>
    public void Compact(MeshSnapshot mesh, IReadOnlySet<string> namespaces, IReadOnlySet<string> routeNames)
    {
        static string NamespaceOf(string scope) => scope[..scope.IndexOf('|', StringComparison.Ordinal)];
        static string HostOf(string virtualHost) => virtualHost[..virtualHost.LastIndexOf(':')];

        // Route configurations are named "PORT", or "HOST:PORT" for a port bound to one address.
        static int PortOf(string routeName) => int.TryParse(routeName.AsSpan(routeName.LastIndexOf(':') + 1), out var port) ? port : -1;
        var virtualServices = VirtualServiceIndex.Of(mesh, _clusterDomain).All;
        var services = ServiceIndex.Of(mesh).All;
        var sources = services.Select(s => DefaultSource + s.Hostname)
            .Concat(virtualServices.Select(vs => vs.Key.ToString()))
            .ToHashSet(StringComparer.Ordinal);
        var hosts = services.Select(s => s.Hostname)
            .Concat(virtualServices.SelectMany(vs => vs.Spec.Hosts))
            .ToHashSet(StringComparer.Ordinal);
        _routes.RetainWhere(k => sources.Contains(k.Source));
        _interfaceRoutes.RetainWhere(k => sources.Contains(k.Source));
        _virtualHosts.RetainWhere(k => hosts.Contains(HostOf(k.Name)));
        _configs.RetainWhere(k => namespaces.Contains(NamespaceOf(k.Scope)) && routeNames.Contains(k.Name));
        var ports = routeNames.Select(PortOf).ToHashSet();
        _portHosts.RetainWhere(k => namespaces.Contains(NamespaceOf(k.Scope)) && ports.Contains(k.Port));
    }

    /// <summary>One call's lookups, and the virtual hosts of each port, shared by the call's route configurations (istiod's vHostCache).</summary>
    /// <param name="ports">The scope's services by port; null when only <see cref="ServiceRoutes"/> is asked for.</param>
    private sealed class Generation(OutboundRoutes owner, MeshSnapshot mesh, PortIndex? ports, RouteScope scope)
    {
        private readonly VirtualServiceIndex _virtualServices = VirtualServiceIndex.Of(mesh, owner._clusterDomain);
        private readonly InterfaceOutlierIndex _interfaces = InterfaceOutlierIndex.Of(mesh, owner._clusterDomain);
        private readonly Dictionary<int, List<VirtualHost>> _byPort = new();
        private readonly Dictionary<string, object> _rules = new(StringComparer.Ordinal);

        // The memo key of each route array this call used, so a virtual host is keyed by its routes' variant too
        // (kept as its parts: the joined string is only needed when a virtual host is built).
        private readonly Dictionary<Route[], (string Source, string Variant)> _routeKeys = new(ReferenceEqualityComparer.Instance);

        public XdsResource Config(RouteReference reference)
        {
            var hosts = VirtualHosts(reference.Port);
            if (reference.Service is null)
            {
                var all = hosts.Append(AllowAny).ToList();
                return owner._configs.Get((reference.Name, scope.Key), all.Cast<object>().ToArray(), () => Resource(reference.Name, all));
            }

            var own = hosts.Where(h => h.Domains.Contains(reference.Name)).ToList();
            if (own.Count == 0)
            {
                own = hosts;
            }

            return owner._configs.Get((reference.Name, scope.Key), own.Cast<object>().ToArray(), () =>
                Resource(reference.Name, scope.Flavor == ProxyFlavor.Mosn ? MosnRoutes.ForAddressBoundListener(own) : own));
        }

        public Route[] ServiceRoutes(HostService service, int port)
        {
            foreach (var vs in _virtualServices.ForHost(scope.Namespace, service.Hostname))
            {
                var routes = VirtualServiceRoutes(vs, port);
                if (routes.Length > 0)
                {
                    return routes;
                }
            }

            return DefaultRoutes(service, port);
        }

        private XdsResource Resource(string name, IEnumerable<VirtualHost> hosts)
        {
            owner._stats.CountResources(1);
            return XdsResource.Create(name, new RouteConfiguration { Name = name, ValidateClusters = false, VirtualHosts = { hosts } });
        }

        private List<VirtualHost> VirtualHosts(int port)
        {
            if (_byPort.TryGetValue(port, out var cached))
            {
                return cached;
            }

            // As istiod's servicesByName, a host name's last definition with the port stands for it.
            var entries = ports is not null && ports.ByPort.TryGetValue(port, out var list) ? list : [];
            var byHost = new Dictionary<string, MeshServicePort>(StringComparer.Ordinal);
            var services = new Dictionary<string, HostService>(StringComparer.Ordinal);
            foreach (var (service, servicePort) in entries)
            {
                byHost[service.Hostname] = servicePort;
                services[service.Hostname] = service;
            }

            var http = services.Values.Where(s => IsHttp(byHost[s.Hostname])).ToList();
            var wrappers = new List<VirtualHostWrapper>();
            var claimed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var vs in Candidates(port, http))
            {
                var (vsHosts, vsServices) = VirtualHostAssembly.Separate(vs, services);
                var onPort = vsServices.Where(s => IsHttp(byHost[s.Hostname])).ToList();

                // A VirtualService naming no HTTP service on this port has its virtual hosts on port 80.
                if (onPort.Count == 0 && port != 80)
                {
                    continue;
                }

                var routes = VirtualServiceRoutes(vs, port);
                if (routes.Length == 0)
                {
                    continue;
                }

                wrappers.Add(new VirtualHostWrapper(vsHosts, onPort, routes));
                claimed.UnionWith(onPort.Select(s => s.Hostname));
            }

            foreach (var service in http.Where(s => !claimed.Contains(s.Hostname)))
            {
                wrappers.Add(new VirtualHostWrapper([], [service], DefaultRoutes(service, port)));
            }

            // Assembling (domains, short names, dropping taken ones) is most of the work, and a
            // change elsewhere in the mesh leaves a port's wrappers as they were: memoized by them.
            var inputs = new List<object>(wrappers.Count * 3);
            foreach (var wrapper in wrappers)
            {
                inputs.Add(wrapper.Routes);
                inputs.Add(WrapperShape(wrapper.Hosts.Count, wrapper.Services.Count));
                inputs.AddRange(wrapper.Hosts);
                inputs.AddRange(wrapper.Services);
            }

            var result = owner._portHosts.Get((port, scope.Key), inputs.ToArray(), () =>
            {
                owner._stats.CountPortAssembly();
                return VirtualHostAssembly.Assemble(port, scope.Namespace, owner._clusterDomain, wrappers, VirtualHost);
            });
            _byPort[port] = result;
            return result;
        }

        /// <summary>The VirtualServices that may have virtual hosts on <paramref name="port"/>, in istiod's order.</summary>
        private IEnumerable<ResolvedVirtualService> Candidates(int port, List<HostService> http)
        {
            var all = _virtualServices.ForSidecar(scope.Namespace);
            if (port == 80)
            {
                return all;
            }

            var naming = http.SelectMany(s => _virtualServices.ForHost(scope.Namespace, s.Hostname)).ToHashSet();
            return naming.Count == 0 ? [] : all.Where(naming.Contains);
        }

        private VirtualHost VirtualHost(string name, List<string> domains, object source, Route[] routes) =>
            owner._virtualHosts.Get((name, $"{scope.Flavor}|{string.Join(',', domains)}|{RouteKeyOf(routes)}"), [source, routes], () =>
            {
                owner._stats.CountVirtualHost();
                var host = new VirtualHost { Name = name, Domains = { domains }, Routes = { routes }, IncludeRequestAttemptCount = true };
                return scope.Flavor == ProxyFlavor.Mosn ? MosnRoutes.Adapt(host) : host;
            });

        private string RouteKeyOf(Route[] routes) =>
            _routeKeys.TryGetValue(routes, out var key) ? $"{key.Source}|{key.Variant}" : string.Empty;

        private Route[] VirtualServiceRoutes(ResolvedVirtualService vs, int port)
        {
            // DestinationRules shape routes only by their hash policies: a rule change that keeps those rebuilds no route.
            var inputs = new List<object> { vs };
            inputs.AddRange(HttpRouteTranslator.Destinations(vs).Select(d => (object?)HashPolicies.ForDestination(Rule(d.Host) as EffectiveDestinationRule, d) ?? NoRule));
            var key = (vs.Key.ToString(), port, $"{scope.Selections(vs)}|{string.Join(';', inputs.Skip(1).Select(h => h == NoRule ? string.Empty : h.ToString()))}");
            var routes = WithInterfaces(key, owner._routes.Get(key, inputs.ToArray(), () =>
                HttpRouteTranslator.Translate(vs, port, scope, host => Rule(host) as EffectiveDestinationRule).ToArray()));
            _routeKeys[routes] = (key.Item1, key.Item3);
            return routes;
        }

        private Route[] DefaultRoutes(HostService service, int port)
        {
            var rule = Rule(service.Hostname) as EffectiveDestinationRule;
            var hash = (object?)HashPolicies.ForService(rule, port) ?? NoRule;
            var key = (DefaultSource + service.Hostname, port, hash == NoRule ? string.Empty : hash.ToString()!);
            var routes = WithInterfaces(key, owner._routes.Get(key, [service, hash], () => [HttpRouteTranslator.Default(service.Hostname, port, rule)]));
            _routeKeys[routes] = (key.Item1, key.Item3);
            return routes;
        }

        /// <summary>
        /// <paramref name="routes"/> with the interface routes of the InterfaceOutlierDetections of the
        /// hosts they send to (see <see cref="InterfaceRoutes"/>), memoized under the routes' own key by
        /// the routes and those policies (which are the same for every proxy): a change to one such
        /// object rebuilds only the routes to its host.
        /// </summary>
        private Route[] WithInterfaces((string Source, int Port, string Variant) key, Route[] routes)
        {
            var policies = InterfaceRoutes.PoliciesOf(routes, _interfaces);
            return policies.Count == 0
                ? routes
                : owner._interfaceRoutes.Get(key, [routes, .. policies], () => InterfaceRoutes.Expand(routes, _interfaces, RouteMatches.Translate).ToArray());
        }

        /// <summary>
        /// The DestinationRule the proxy applies to <paramref name="host"/> (istiod's SidecarScope
        /// keeps one per service it sees, none for other hosts), or <see cref="NoRule"/>.
        /// </summary>
        private object Rule(string host)
        {
            if (!_rules.TryGetValue(host, out var rule))
            {
                var service = ServiceIndex.Of(mesh, owner._clusterDomain).Find(host, scope.Namespace);
                rule = service is null ? NoRule : DestinationRuleIndex.Of(mesh, owner._clusterDomain).For(scope.Namespace, host, service.Namespace) ?? NoRule;
                _rules[host] = rule;
            }

            return rule;
        }

        /// <summary>Where one wrapper's inputs end and the next one's begin, as a memo input (compared by value).</summary>
        private static string WrapperShape(int hosts, int services) =>
            hosts == 0 && services == 1 ? "0/1" : $"{hosts}/{services}";

        private static bool IsHttp(MeshServicePort port) => port.Protocol.ForListener() is ListenerProtocol.Http or ListenerProtocol.Auto;
    }
}
