using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Builds what proxyless gRPC clients resolve xds:///HOST:PORT with: an api_listener named HOST:PORT
/// whose connection manager points (over RDS) at a route configuration of the same name, which sends
/// every call to the service port's EDS cluster.
/// </summary>
public static class GrpcBuilder
{
    public static Listener ApiListener(HostService service, MeshServicePort port)
    {
        var name = MeshNames.GrpcTarget(service.Hostname, port.Port);
        var manager = new HttpConnectionManager
        {
            StatPrefix = name,
            Rds = new Rds { ConfigSource = EnvoyDefaults.Ads(), RouteConfigName = name },
            HttpFilters = { NetworkFilters.Router() },
        };
        return new Listener
        {
            Name = name,
            Address = EnvoyDefaults.SocketAddress(service.HasSingleAddress ? service.Address! : MeshNames.UnspecifiedAddress, port.Port),
            ApiListener = new ApiListener { ApiListener_ = Any.Pack(manager) },
        };
    }

    public static RouteConfiguration Routes(HostService service, MeshServicePort port)
    {
        var name = MeshNames.GrpcTarget(service.Hostname, port.Port);
        var host = new VirtualHost { Name = name, Domains = { service.Hostname, name } };
        host.Routes.Add(new Route
        {
            Name = "default",
            Match = new RouteMatch { Prefix = string.Empty },
            Route_ = new RouteAction { Cluster = MeshNames.OutboundCluster(port.Port, service.Hostname) },
        });
        return new RouteConfiguration { Name = name, VirtualHosts = { host } };
    }
}
