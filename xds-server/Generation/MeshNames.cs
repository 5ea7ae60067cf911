using System.Globalization;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Resource and filter names as Istio 1.10 spells them; Istio tooling and MOSN look for these.</summary>
public static class MeshNames
{
    public const string BlackHoleCluster = "BlackHoleCluster";
    public const string PassthroughCluster = "PassthroughCluster";
    public const string InboundPassthroughCluster = "InboundPassthroughClusterIpv4";
    public const string InboundPassthroughClusterIpv6 = "InboundPassthroughClusterIpv6";
    public const string PassthroughFilterChain = "PassthroughFilterChain";
    public const string VirtualOutbound = "virtualOutbound";
    public const string VirtualInbound = "virtualInbound";
    public const int VirtualOutboundPort = 15001;
    public const int VirtualInboundPort = 15006;

    /// <summary>Source address of inbound passthrough traffic, so iptables lets it out to the app.</summary>
    public const string InboundPassthroughBindAddress = "127.0.0.6";

    /// <summary>The same for IPv6-only proxies.</summary>
    public const string InboundPassthroughBindAddressIpv6 = "::6";

    /// <summary>The IPv4 wildcard; also the address a service without a VIP has in Istio's model (istiod's <c>constants.UnspecifiedIP</c>).</summary>
    public const string UnspecifiedAddress = "0.0.0.0";

    /// <summary>The IPv6 wildcard, which IPv6-only proxies listen on.</summary>
    public const string UnspecifiedAddressIpv6 = "::";

    /// <summary>Transport protocol the TLS inspector leaves on plaintext connections.</summary>
    public const string RawBufferTransportProtocol = "raw_buffer";

    public const string HttpConnectionManagerFilter = "envoy.filters.network.http_connection_manager";
    public const string TcpProxyFilter = "envoy.filters.network.tcp_proxy";
    public const string RouterFilter = "envoy.filters.http.router";
    public const string OriginalDstListenerFilter = "envoy.filters.listener.original_dst";
    public const string TlsInspectorListenerFilter = "envoy.filters.listener.tls_inspector";
    public const string HttpInspectorListenerFilter = "envoy.filters.listener.http_inspector";
    public const string HttpProtocolOptions = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    /// <summary>A service port's cluster: <c>outbound|PORT||HOST</c> (istiod's BuildSubsetKey without a subset).</summary>
    public static string OutboundCluster(int port, string hostname) => OutboundSubsetCluster(port, null, hostname);

    /// <summary>
    /// The cluster of a DestinationRule subset, <c>outbound|PORT|SUBSET|HOST</c> (istiod's
    /// BuildSubsetKey), or the port's own cluster when <paramref name="subset"/> is null or empty.
    /// The one place cluster names are made: the clusters built from DestinationRules and the
    /// routes and TCP chains of VirtualServices that name them must agree.
    /// </summary>
    public static string OutboundSubsetCluster(int port, string? subset, string hostname) =>
        string.Create(CultureInfo.InvariantCulture, $"outbound|{port}|{subset}|{hostname}");

    public static string InboundCluster(int port) => $"inbound|{port}||";


    /// <summary>A listener's name is its address and port: <c>0.0.0.0_PORT</c>, <c>VIP_PORT</c>, <c>POD_IP_PORT</c>, <c>::_PORT</c>.</summary>
    public static string Listener(string bind, int port) => $"{bind}_{port}";

    public static string OutboundRoute(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The route of a sniffed port's listener that is bound to one address (a VIP or a pod IP): only that service's virtual host.</summary>
    public static string SniffedRoute(string hostname, int port) => $"{hostname}:{port}";

    public static string VirtualHost(string hostname, int port) => $"{hostname}:{port}";

    /// <summary>Listener and route name a proxyless gRPC client asks for: the target of xds:///host:port.</summary>
    public static string GrpcTarget(string hostname, int port) => $"{hostname}:{port}";
}
