using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>The network filters listeners are made of, under the names MOSN and Istio tools look for.</summary>
public static class NetworkFilters
{
    public static HttpFilter Router() => new()
    {
        Name = MeshNames.RouterFilter,
        TypedConfig = Any.Pack(new Router()),
    };

    /// <summary>An HTTP connection manager that takes its routes from RDS over ADS.</summary>
    public static HttpConnectionManager RdsConnectionManager(string statPrefix, string routeConfigName)
    {
        var manager = SidecarConnectionManager(statPrefix);
        manager.Rds = new Rds { ConfigSource = EnvoyDefaults.Ads(), RouteConfigName = routeConfigName };
        return manager;
    }

    public static HttpConnectionManager InlineConnectionManager(string statPrefix, RouteConfiguration routes)
    {
        var manager = SidecarConnectionManager(statPrefix);
        manager.RouteConfig = routes;
        return manager;
    }

    /// <summary>Istio's sidecar defaults: client addresses are not trusted, websockets pass, idle streams live on.</summary>
    private static HttpConnectionManager SidecarConnectionManager(string statPrefix) => new()
    {
        StatPrefix = statPrefix,
        CodecType = Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.CodecType.Auto,
        HttpFilters = { Router() },
        UseRemoteAddress = false,
        NormalizePath = true,
        PathWithEscapedSlashesAction = Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.PathWithEscapedSlashesAction.KeepUnchanged,
        StreamIdleTimeout = Duration.FromTimeSpan(TimeSpan.Zero),
        UpgradeConfigs = { new Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "websocket" } },
    };

    public static Filter HttpConnectionManager(HttpConnectionManager manager) => new()
    {
        Name = MeshNames.HttpConnectionManagerFilter,
        TypedConfig = Any.Pack(manager),
    };

    public static Filter TcpProxy(string statPrefix, string cluster) => new()
    {
        Name = MeshNames.TcpProxyFilter,
        TypedConfig = Any.Pack(new TcpProxy { StatPrefix = statPrefix, Cluster = cluster }),
    };
}
