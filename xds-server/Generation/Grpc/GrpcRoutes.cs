using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Routing;

namespace ControlPlane.XdsServer.Generation.Grpc;

/// <summary>
/// Proxyless gRPC clients' route configurations, one per service port (HOST:PORT), made from the
/// routes sidecars of the same namespace and sourceLabels get for that service (see
/// <see cref="OutboundRoutes.ServiceRoutes"/>, which memoizes them per VirtualService), and memoized
/// per name and route scope by the identity of the service and of those routes: a VirtualService
/// change rebuilds the configurations of its hosts only.
/// </summary>
internal sealed class GrpcRoutes
{
    private readonly GenerationStats _stats;
    private readonly OutboundRoutes _routes;
    private readonly InputMemo<(string Name, string Scope), XdsResource> _configs = new();

    public GrpcRoutes(GenerationStats stats, OutboundRoutes routes)
    {
        _stats = stats;
        _routes = routes;
    }

    /// <summary>One route configuration per port of <paramref name="services"/> (UDP ports aside); of two services with one host name, the first's.</summary>
    /// <returns>The configurations, in service order; the caller interns them into a set.</returns>
    public List<XdsResource> Build(MeshSnapshot mesh, IEnumerable<HostService> services, ProxyView view)
    {
        var scope = RouteScope.Of(view);
        var routesOf = _routes.ServiceRoutes(mesh, scope);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var configs = new List<XdsResource>();
        foreach (var service in services)
        {
            foreach (var port in service.Ports.Where(p => p.Protocol != MeshProtocol.Udp))
            {
                var name = MeshNames.GrpcTarget(service.Hostname, port.Port);
                if (!names.Add(name))
                {
                    continue;
                }

                var routes = routesOf(service, port.Port);
                configs.Add(_configs.Get((name, scope.Key), [service, routes], () =>
                {
                    _stats.CountResources(1);
                    return XdsResource.Create(name, GrpcBuilder.Routes(service, port, routes));
                }));
            }
        }

        return configs;
    }

    /// <summary>Forgets configurations of namespaces and service ports the mesh no longer has.</summary>
    public void Compact(MeshSnapshot mesh, IReadOnlySet<string> namespaces)
    {
        var names = ServiceIndex.Of(mesh).All
            .SelectMany(s => s.Ports.Select(p => MeshNames.GrpcTarget(s.Hostname, p.Port)))
            .ToHashSet(StringComparer.Ordinal);
        _configs.RetainWhere(k => names.Contains(k.Name) && namespaces.Contains(k.Scope[..k.Scope.IndexOf('|', StringComparison.Ordinal)]));
    }
}
