using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// One port, many protocols: a service port without a protocol Istio knows (here "bolt-rpc") is
/// sniffed, outbound and inbound, as
/// istiod 1.10 builds it (an HTTP chain matching transport raw_buffer and ALPN http/1.0, http/1.1,
/// h2c as the HTTP inspector reports them, a TCP chain for everything else), so HTTP/1.1, HTTP/2
/// with prior knowledge and raw TCP clients all work on it. Envoy's choice of chain is modelled by
/// <see cref="EnvoyConnectionModel"/>, since no Envoy binary runs here.
/// </summary>
public sealed class ProtocolSniffingTests
{
    private const string Vip = "10.96.80.10";
    private const string PodIp = "10.244.1.80";
    private static readonly string[] HttpAlpn = ["http/1.0", "http/1.1", "h2c"];

    public static TheoryData<string, string> Clients() => new()
    {
        { "HTTP/1.1", "http" },
        { "HTTP/2", "http" },
        { "TCP", "tcp" },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public void An_outbound_connection_to_a_sniffed_port_reaches_the_chain_of_its_protocol(string client, string expected)
    {
        var listener = Listener(Generate(envoy: true), $"{Vip}_8000");

        var chain = EnvoyConnectionModel.Select(listener, Vip, 8000, FirstBytes(client));

        chain.Should().NotBeNull();
        if (expected == "http")
        {
            Manager(chain!).Rds.RouteConfigName.Should().Be("legacy.default.svc.cluster.local:8000", "the HTTP chain routes this service's HTTP");
        }
        else
        {
            Proxy(chain!).Cluster.Should().Be("outbound|8000||legacy.default.svc.cluster.local", "everything else is proxied as TCP");
        }
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public void An_inbound_connection_to_a_sniffed_port_reaches_the_chain_of_its_protocol(string client, string expected)
    {
        var listener = Listener(Generate(envoy: true), "virtualInbound");

        var chain = EnvoyConnectionModel.Select(listener, PodIp, 8080, FirstBytes(client));

        chain.Should().NotBeNull();
        if (expected == "http")
        {
            Manager(chain!).RouteConfig.VirtualHosts.Single().Routes.Single().Route_.Cluster.Should().Be("inbound|8080||");
        }
        else
        {
            Proxy(chain!).Cluster.Should().Be("inbound|8080||");
        }
    }

    [Fact]
    public void The_sniffing_chains_match_as_istiod_builds_them()
    {
        var config = Generate(envoy: true);

        var outbound = Listener(config, $"{Vip}_8000");
        outbound.ListenerFilters.Select(f => f.Name).Should().Equal("envoy.filters.listener.tls_inspector", "envoy.filters.listener.http_inspector");
        var http = outbound.FilterChains.Single();
        http.FilterChainMatch.TransportProtocol.Should().Be("raw_buffer");
        http.FilterChainMatch.ApplicationProtocols.Should().Equal(HttpAlpn);
        outbound.DefaultFilterChain.FilterChainMatch.Should().BeNull("the TCP chain matches everything the HTTP chain does not");
        Proxy(outbound.DefaultFilterChain).Cluster.Should().Be("outbound|8000||legacy.default.svc.cluster.local");

        var inbound = Listener(config, "virtualInbound");
        var onPort = inbound.FilterChains.Where(c => c.FilterChainMatch?.DestinationPort == 8080).ToList();
        onPort.Should().HaveCount(2);
        onPort[0].FilterChainMatch.Should().Be(new FilterChainMatch { DestinationPort = 8080, TransportProtocol = "raw_buffer", ApplicationProtocols = { HttpAlpn } });
        onPort[1].FilterChainMatch.Should().Be(new FilterChainMatch { DestinationPort = 8080, TransportProtocol = "raw_buffer" });
        var inspector = inbound.ListenerFilters.Single(f => f.Name == "envoy.filters.listener.http_inspector");
        EnvoyConnectionModel.Select(inbound, PodIp, 9090, EnvoyConnectionModel.Http11Request)!.Filters.Single().Name
            .Should().Be("envoy.filters.network.http_connection_manager", "the declared HTTP port needs no sniffing");
        inspector.FilterDisabled.Should().NotBeNull("the inspector only runs on sniffed ports, so it never delays a server-first protocol on a declared one");
    }

    /// <summary>
    /// MOSN's converter takes, on a listener not using the original destination, its first filter
    /// chain (the HTTP one, ignoring its match), and on virtualInbound the first chain of each
    /// destination port; either way an HTTP connection manager, which it runs as its Auto protocol
    /// (HTTP/1.1, HTTP/2 and its RPC protocols, detected from the first bytes). The route of the
    /// sniffed port answers to any name, as MOSN's RPC protocols carry no host.
    /// </summary>
    [Fact]
    public void Mosn_gets_the_http_chain_it_turns_into_its_auto_protocol_and_a_route_for_any_host()
    {
        var config = Generate(envoy: false);

        var outbound = Listener(config, $"{Vip}_8000");
        var first = outbound.FilterChains.First(c => c.Filters.Count > 0);
        Manager(first).Rds.RouteConfigName.Should().Be("legacy.default.svc.cluster.local:8000");
        var inbound = Listener(config, "virtualInbound");
        Manager(inbound.FilterChains.First(c => c.FilterChainMatch?.DestinationPort == 8080)).Should().NotBeNull();

        var route = config.Routes.Find("legacy.default.svc.cluster.local:8000")!.Body.Unpack<RouteConfiguration>();
        route.VirtualHosts.Single().Domains.Should().Equal("*");
        route.VirtualHosts.Single().Routes.Single().Match.PathSpecifierCase.Should().Be(RouteMatch.PathSpecifierOneofCase.None, "MOSN's RPC requests have no path");
    }

    private static ProxyConfig Generate(bool envoy)
    {
        var mesh = IndexMesh.Of(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: legacy, namespace: default}
            spec:
              clusterIP: 10.96.80.10
              ports:
              - {name: bolt-rpc, port: 8000, targetPort: 8080}
              - {name: http-admin, port: 9090}
            """,
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: legacy-abcde
              namespace: default
              labels: {kubernetes.io/service-name: legacy}
            addressType: IPv4
            ports:
            - {name: bolt-rpc, port: 8080}
            - {name: http-admin, port: 9090}
            endpoints:
            - addresses: ["10.244.1.80"]
              conditions: {ready: true}
            """);
        var node = envoy ? TestNodes.Sidecar(pod: "legacy-0", ip: PodIp) : TestNodes.Mosn(pod: "legacy-0", ip: PodIp);
        return new ConfigGenerator().Generate(mesh, ProxyViews.For(NodeParser.Parse(node), mesh));
    }

    private static byte[] FirstBytes(string client) => client switch
    {
        "HTTP/1.1" => EnvoyConnectionModel.Http11Request,
        "HTTP/2" => EnvoyConnectionModel.Http2Preface,
        _ => EnvoyConnectionModel.RawTcp,
    };

    private static Listener Listener(ProxyConfig config, string name) => config.Listeners.Find(name)!.Body.Unpack<Listener>();

    private static HttpConnectionManager Manager(FilterChain chain) =>
        chain.Filters.Single(f => f.Name == "envoy.filters.network.http_connection_manager").TypedConfig.Unpack<HttpConnectionManager>();

    private static TcpProxy Proxy(FilterChain chain) =>
        chain.Filters.Single(f => f.Name == "envoy.filters.network.tcp_proxy").TypedConfig.Unpack<TcpProxy>();
}
