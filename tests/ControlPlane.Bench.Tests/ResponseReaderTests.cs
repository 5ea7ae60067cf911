using System.Diagnostics;
using ControlPlane.Benchmarks.Load;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Filter = Envoy.Config.Listener.V3.Filter;

namespace ControlPlane.Bench.Tests;

/// <summary>
/// The simulated proxies read responses from the wire without the generated types; these check that
/// reader against responses built with the real Envoy protos. One class: the probe is process-wide.
/// </summary>
public sealed class ResponseReaderTests
{
    [Fact]
    public void SotwClustersYieldTheEdsServiceNamesOfTheirEdsClusters()
    {
        var response = Sotw(
            "type.googleapis.com/envoy.config.cluster.v3.Cluster",
            EdsCluster("outbound|8080||b.ns.svc.cluster.local", serviceName: "outbound|8080||b.ns.svc.cluster.local"),
            EdsCluster("outbound|9090||a.ns.svc.cluster.local", serviceName: null),
            new Cluster { Name = "BlackHoleCluster", Type = Cluster.Types.DiscoveryType.Static },
            new Cluster { Name = "PassthroughCluster", Type = Cluster.Types.DiscoveryType.OriginalDst });

        var read = ResponseReader.ReadSotw(response, Stopwatch.GetTimestamp());

        read.Type.Should().Be(XdsType.Cluster);
        read.Version.Should().Be("v1");
        read.Nonce.Should().Be("n1");
        read.Bytes.Should().Be(response.Length);
        read.Names.Should().Equal("outbound|8080||b.ns.svc.cluster.local", "outbound|9090||a.ns.svc.cluster.local");
    }

    [Fact]
    public void SotwListenersYieldTheRouteNamesOfTheirHttpConnectionManagers()
    {
        var http = new Listener { Name = "0.0.0.0_8080" };
        http.FilterChains.Add(Chain(Rds("8080")));
        var tcp = new Listener { Name = "10.96.0.1_6379" };
        tcp.FilterChains.Add(Chain(new Filter { Name = "envoy.filters.network.tcp_proxy", TypedConfig = Any.Pack(new TcpProxy { StatPrefix = "x", Cluster = "c" }) }));
        var fallback = new Listener { Name = "virtualOutbound", DefaultFilterChain = Chain(Rds("9090")) };
        fallback.FilterChains.Add(Chain(Rds("8080")));

        var read = ResponseReader.ReadSotw(Sotw("type.googleapis.com/envoy.config.listener.v3.Listener", http, tcp, fallback), Stopwatch.GetTimestamp());

        read.Type.Should().Be(XdsType.Listener);
        read.Names.Should().Equal("8080", "9090");
    }

    [Fact]
    public void DeltaResourcesCarryTheirNameVersionAndTheNamesTheyLeadTo()
    {
        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = "type.googleapis.com/envoy.config.cluster.v3.Cluster",
            SystemVersionInfo = "7",
            Nonce = "n2",
            Resources =
            {
                new Resource { Name = "outbound|80||a", Version = "va", Resource_ = Any.Pack(EdsCluster("outbound|80||a", "outbound|80||a")) },
                new Resource { Name = "BlackHoleCluster", Version = "vb", Resource_ = Any.Pack(new Cluster { Name = "BlackHoleCluster", Type = Cluster.Types.DiscoveryType.Static }) },
            },
            RemovedResources = { "outbound|80||gone" },
        }.ToByteArray();

        var read = ResponseReader.ReadDelta(response, Stopwatch.GetTimestamp());

        read.Version.Should().Be("7");
        read.Nonce.Should().Be("n2");
        read.Resources.Select(r => (r.Name, r.Version, string.Join(',', r.Derived)))
            .Should().Equal(("outbound|80||a", "va", "outbound|80||a"), ("BlackHoleCluster", "vb", string.Empty));
        read.Removed.Should().Equal("outbound|80||gone");
    }

    [Fact]
    public void ProbeCountsAProxyOnceItHasEveryExpectedResponse()
    {
        var probe = new Probe("test", proxies: 2, [Expectation.Exact(XdsType.Endpoint, "10.0.0.1"), Expectation.Any(XdsType.Route)]);
        probe.Start();
        try
        {
            var near = ResponseReader.ReadSotw(Endpoints("10.0.0.12"), Stopwatch.GetTimestamp());
            var exact = ResponseReader.ReadSotw(Endpoints("10.0.0.1"), Stopwatch.GetTimestamp());
            var routes = ResponseReader.ReadSotw(Sotw("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"), Stopwatch.GetTimestamp());

            near.Hits.Should().Be(0, "10.0.0.12 is not 10.0.0.1");
            probe.Record(0, near);
            probe.Record(0, exact);
            probe.Converged.Should().Be(0, "the routes have not arrived yet");
            probe.Record(0, routes);
            probe.Converged.Should().Be(1);
            probe.LatenciesMs()[0].Should().BeGreaterThan(0);
            probe.LatenciesMs()[1].Should().Be(double.PositiveInfinity);
            probe.BytesOf(XdsType.Endpoint).Should().Be(near.Bytes + exact.Bytes);
        }
        finally
        {
            probe.Stop();
        }
    }

    private static byte[] Sotw(string typeUrl, params IMessage[] resources)
    {
        var response = new DiscoveryResponse { TypeUrl = typeUrl, VersionInfo = "v1", Nonce = "n1" };
        response.Resources.AddRange(resources.Select(Any.Pack));
        return response.ToByteArray();
    }

    private static byte[] Endpoints(string address)
    {
        var assignment = new ClusterLoadAssignment { ClusterName = "outbound|80||a" };
        var locality = new LocalityLbEndpoints();
        locality.LbEndpoints.Add(new LbEndpoint { Endpoint = new Envoy.Config.Endpoint.V3.Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = address, PortValue = 80 } } } });
        assignment.Endpoints.Add(locality);
        return Sotw("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", assignment);
    }

    private static Cluster EdsCluster(string name, string? serviceName)
    {
        var cluster = new Cluster
        {
            Name = name,
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
            ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        };
        if (serviceName is not null)
        {
            cluster.EdsClusterConfig.ServiceName = serviceName;
        }

        return cluster;
    }

    private static Filter Rds(string route) => new()
    {
        Name = "envoy.filters.network.http_connection_manager",
        TypedConfig = Any.Pack(new HttpConnectionManager
        {
            StatPrefix = "outbound_0.0.0.0_" + route,
            Rds = new Rds { RouteConfigName = route, ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
        }),
    };

    private static FilterChain Chain(Filter filter)
    {
        var chain = new FilterChain();
        chain.Filters.Add(filter);
        return chain;
    }
}
