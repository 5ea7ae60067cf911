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
    /// <summary>
    /// The CORS filter, which applies the routes' CORS policies (a VirtualService's corsPolicy);
    /// listed in every sidecar HTTP connection manager, as istiod 1.10 does.
    /// </summary>
    public static HttpFilter Cors() => new()
    {
        Name = Routing.CorsTranslation.FilterName,
        TypedConfig = Any.Pack(new Envoy.Extensions.Filters.Http.Cors.V3.Cors()),
    };

    /// <summary>
    /// The HTTP fault filter, empty: each route that injects faults (a VirtualService's fault)
    /// carries its own settings in typed_per_filter_config under this name. Listed in every sidecar
    /// HTTP connection manager, as istiod 1.10 does; MOSN's converter turns it into its fault stream
    /// filter, which reads the per-route settings.
    /// </summary>
    public static HttpFilter Fault() => new()
    {
        Name = Routing.FaultTranslation.FilterName,
        TypedConfig = Any.Pack(new Envoy.Extensions.Filters.Http.Fault.V3.HTTPFault()),
    };

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

    /// <summary>
    /// Istio's sidecar defaults: client addresses are not trusted, websockets pass, idle streams live
    /// on; HTTP filters CORS, fault and router, in istiod 1.10's order. (istiod also puts istio.alpn
    /// first on outbound listeners: it sets the ALPN of upstream Istio mTLS connections, which this
    /// control plane does not make, and only Istio's Envoy build knows it.)
    /// </summary>
    private static HttpConnectionManager SidecarConnectionManager(string statPrefix) => new()
    {
        StatPrefix = statPrefix,
        CodecType = Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.CodecType.Auto,
        HttpFilters = { Cors(), Fault(), Router() },
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

    public static Filter TcpProxy(string statPrefix, string cluster) => TcpProxy(new TcpProxy { StatPrefix = statPrefix, Cluster = cluster });

    public static Filter TcpProxy(TcpProxy proxy) => new()
    {
        Name = MeshNames.TcpProxyFilter,
        TypedConfig = Any.Pack(proxy),
    };
}
