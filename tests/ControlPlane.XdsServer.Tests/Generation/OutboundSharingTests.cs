using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// Sidecars of one namespace whose workloads serve different ports differ only inbound: their
/// outbound clusters, endpoints, listeners and routes are generated once per snapshot and shared,
/// while each keeps its own inbound listener and clusters.
/// </summary>
public sealed class OutboundSharingTests
{
    private static readonly string[] Mesh =
    [
        Manifests.Service("reviews", "shop", "10.96.0.10", 9080),
        Manifests.EndpointSlice("reviews", "shop", 9080, "http", "10.1.0.5"),
        Manifests.Service("ratings", "shop", "10.96.0.11", 9080),
    ];

    [Fact]
    public void Views_that_differ_only_in_inbound_ports_share_one_outbound_generation()
    {
        var mesh = IndexMesh.Of(Mesh);
        var generator = new ConfigGenerator();

        var http = generator.Generate(mesh, View("shop", new InboundPort(8080, MeshProtocol.Http)));
        var grpc = generator.Generate(mesh, View("shop", new InboundPort(9090, MeshProtocol.Grpc)));
        var none = generator.Generate(mesh, View("shop"));
        var other = generator.Generate(mesh, View("other", new InboundPort(8080, MeshProtocol.Http)));

        generator.Stats.SidecarOutboundsGenerated.Should().Be(2, "one for shop's three views, one for other's");
        generator.Stats.ViewsGenerated.Should().Be(4);

        // Each still has its own inbound side, and the same outbound side as if generated alone.
        http.Clusters.Find("inbound|8080||").Should().NotBeNull();
        grpc.Clusters.Find("inbound|9090||").Should().NotBeNull();
        grpc.Clusters.Find("inbound|8080||").Should().BeNull();
        InboundPorts(http).Should().Equal(8080);
        InboundPorts(grpc).Should().Equal(9090);
        InboundPorts(none).Should().BeEmpty();
        var alone = new ConfigGenerator().Generate(mesh, View("shop", new InboundPort(9090, MeshProtocol.Grpc)));
        Bodies(grpc.Clusters).Should().Equal(Bodies(alone.Clusters));
        Bodies(grpc.Endpoints).Should().Equal(Bodies(alone.Endpoints));
        Bodies(grpc.Listeners).Should().Equal(Bodies(alone.Listeners));
        Bodies(grpc.Routes).Should().Equal(Bodies(alone.Routes));
        other.Routes.Find("9080").Should().NotBeNull();
    }

    [Fact]
    public void Namespaces_that_see_the_same_services_share_one_endpoint_generation_also_after_an_endpoint_change()
    {
        var mesh = IndexMesh.Of(Mesh);
        var generator = new ConfigGenerator();
        var views = new[] { View("a"), View("b", new InboundPort(8080, MeshProtocol.Http)), View("shop") };

        var configs = views.Select(v => generator.Generate(mesh, v)).ToList();

        generator.Stats.EndpointSetsGenerated.Should().Be(1, "every namespace sees the same public services");
        configs.Select(c => c.Endpoints).Distinct().Should().ContainSingle();

        var moved = IndexMesh.Of([Mesh[0], Manifests.EndpointSlice("reviews", "shop", 9080, "http", "10.1.0.5", "10.1.0.7"), Mesh[2]]);
        var after = views.Zip(configs, (v, c) => generator.Generate(moved, v, previous: c)).ToList();

        generator.Stats.EndpointSetsGenerated.Should().Be(2, "an endpoint-only change regenerates the shared endpoints once");
        after.Select(c => c.Endpoints).Distinct().Should().ContainSingle();
        after[0].Endpoints.Find("outbound|9080||reviews.shop.svc.cluster.local")!.Body.Unpack<Envoy.Config.Endpoint.V3.ClusterLoadAssignment>()
            .Endpoints.SelectMany(e => e.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address).Should().Contain("10.1.0.7");
    }

    [Fact]
    public void Data_planes_and_localities_do_not_share_endpoints()
    {
        var mesh = IndexMesh.Of(Mesh);
        var generator = new ConfigGenerator();

        generator.Generate(mesh, View("a"));
        generator.Generate(mesh, View("a") with { Flavor = ProxyFlavor.Mosn });

        generator.Stats.EndpointSetsGenerated.Should().Be(2, "MOSN gets each assignment in one locality");
    }

    [Fact]
    public void A_new_snapshot_generates_the_shared_outbound_again()
    {
        var generator = new ConfigGenerator();
        generator.Generate(IndexMesh.Of(Mesh), View("shop", new InboundPort(8080, MeshProtocol.Http)));

        var changed = IndexMesh.Of([.. Mesh, Manifests.Service("details", "shop", "10.96.0.12", 9080)]);
        var config = generator.Generate(changed, View("shop", new InboundPort(9090, MeshProtocol.Grpc)));

        generator.Stats.SidecarOutboundsGenerated.Should().Be(2);
        config.Clusters.Find("outbound|9080||details.shop.svc.cluster.local").Should().NotBeNull("the newer snapshot's services, not the shared older ones");
    }

    private static ProxyView View(string ns, params InboundPort[] inbound) => new(ProxyKind.Sidecar, ns, [.. inbound]);

    private static List<Google.Protobuf.WellKnownTypes.Any> Bodies(ResourceSet set) => set.Resources.Values.Select(r => r.Body).ToList();

    private static IEnumerable<uint> InboundPorts(ProxyConfig config) =>
        config.Listeners.Find(MeshNames.VirtualInbound)!.Body.Unpack<Listener>().FilterChains
            .Select(c => c.FilterChainMatch?.DestinationPort)
            .Where(p => p is > 0 and not 15006)
            .Select(p => p!.Value)
            .Distinct();
}
