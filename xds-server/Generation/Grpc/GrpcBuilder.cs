using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Grpc;

/// <summary>
/// Builds what proxyless gRPC clients resolve xds:///HOST:PORT with: an api_listener named HOST:PORT
/// whose connection manager points (over RDS) at a route configuration of the same name, holding
/// one virtual host for the service port.
/// </summary>
public static class GrpcBuilder
{
    /// <summary>
    /// The service port's api_listener. Its connection manager always lists the HTTP fault filter
    /// before the router (as istiod's later gRPC generator does; istiod 1.10's lists none): routes
    /// inject faults through per-route settings for that filter, and the client reads the filter
    /// list only with a route configuration, ignoring a Listener update that keeps its route name,
    /// so a filter added along with the first fault might never apply.
    /// </summary>
    public static Listener ApiListener(HostService service, MeshServicePort port)
    {
        var name = MeshNames.GrpcTarget(service.Hostname, port.Port);
        var manager = new HttpConnectionManager
        {
            StatPrefix = name,
            Rds = new Rds { ConfigSource = EnvoyDefaults.Ads(), RouteConfigName = name },
            HttpFilters = { NetworkFilters.Fault(), NetworkFilters.Router() },
        };
        return new Listener
        {
            Name = name,
            Address = EnvoyDefaults.SocketAddress(service.HasSingleAddress ? service.Address! : MeshNames.UnspecifiedAddress, port.Port),
            ApiListener = new ApiListener { ApiListener_ = Any.Pack(manager) },
        };
    }

    /// <summary>
    /// The route configuration HOST:PORT: one virtual host answering to HOST and HOST:PORT with
    /// <paramref name="routes"/> (a sidecar's routes for the service port) reshaped for the client
    /// (see <see cref="GrpcRouteAdaptation.Adapt"/>); those the client could not match or act on
    /// are left out.
    /// </summary>
    public static RouteConfiguration Routes(HostService service, MeshServicePort port, IEnumerable<Route> routes)
    {
        var name = MeshNames.GrpcTarget(service.Hostname, port.Port);
        var host = new VirtualHost { Name = name, Domains = { service.Hostname, name } };
        host.Routes.AddRange(routes.Select(GrpcRouteAdaptation.Adapt).OfType<Route>());
        return new RouteConfiguration { Name = name, VirtualHosts = { host } };
    }
}
