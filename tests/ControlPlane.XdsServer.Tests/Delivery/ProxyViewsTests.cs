using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Delivery;

/// <summary>Views decide sharing: what differs between proxies' configs must differ in their views, and nothing else.</summary>
public sealed class ProxyViewsTests
{
    [Fact]
    public void Envoy_sidecars_of_one_namespace_share_a_view_and_a_mosn_sidecar_has_its_own()
    {
        var first = ViewOf(TestNodes.Sidecar(pod: "a", ip: "10.0.0.1"));
        var second = ViewOf(TestNodes.Sidecar(pod: "b", ip: "10.0.0.2"));
        var mosn = ViewOf(Mosn(TestNodes.Sidecar(pod: "c", ip: "10.0.0.3")));

        second.Should().Be(first);
        mosn.Flavor.Should().Be(ProxyFlavor.Mosn);
        mosn.Should().NotBe(first);
    }

    [Fact]
    public void A_proxyless_grpc_client_is_never_mosn()
    {
        var plain = ViewOf(TestNodes.Sidecar(generator: "grpc"));
        var labelled = ViewOf(Mosn(TestNodes.Sidecar(pod: "other", ip: "10.0.0.9", generator: "grpc")));

        labelled.Should().Be(plain);
    }

    [Theory]
    [InlineData("10.0.0.7", null, IpFamilies.IPv4)]
    [InlineData("fd00:10:244::5", null, IpFamilies.IPv6)]
    [InlineData("fd00:10:244::5", "fd00:10:244::5", IpFamilies.IPv6)]
    [InlineData("10.0.0.7", "10.0.0.7,fd00:10:244::7", IpFamilies.DualStack)]
    [InlineData("fd00:10:244::7", "fd00:10:244::7,10.0.0.7", IpFamilies.DualStack)]
    [InlineData("::ffff:10.0.0.7", null, IpFamilies.IPv4)]
    public void A_sidecars_view_has_the_ip_families_of_its_addresses(string idIp, string? instanceIps, IpFamilies expected)
    {
        var node = TestNodes.Sidecar(ip: idIp);
        if (instanceIps is not null)
        {
            node.Metadata.Fields["INSTANCE_IPS"] = Value.ForString(instanceIps);
        }

        var view = ViewOf(node);

        view.IpFamilies.Should().Be(expected);
        view.Wildcard.Should().Be(expected.HasFlag(IpFamilies.IPv4) ? "0.0.0.0" : "::");
        view.InboundBindAddress.Should().Be(expected.HasFlag(IpFamilies.IPv4) ? "127.0.0.6" : "::6");
    }

    [Fact]
    public void Only_a_pod_of_a_headless_service_with_a_tcp_port_has_its_own_address_in_its_view()
    {
        var store = new ControlPlane.Mesh.Store.MeshObjectStore(Microsoft.Extensions.Logging.Abstractions.NullLogger<ControlPlane.Mesh.Store.MeshObjectStore>.Instance);
        var (objects, errors) = new ControlPlane.XdsServer.Sources.ManifestFileLoader(new ControlPlane.Mesh.Kubernetes.MeshObjectTranslator()).Load(Manifests.Join(
            "apiVersion: v1\nkind: Service\nmetadata: {name: store, namespace: default}\nspec:\n  clusterIP: None\n  ports:\n  - {name: tcp-peer, port: 7000}",
            Manifests.EndpointSlice("store", "default", 7000, "tcp-peer", "10.0.0.1", "10.0.0.2"),
            Manifests.Service("web", "default", "10.96.0.1", 80),
            Manifests.EndpointSlice("web", "default", 80, "http", "10.0.0.3")));
        errors.Should().BeEmpty();
        store.Replace("mesh", objects);

        ProxyViews.For(NodeParser.Parse(TestNodes.Sidecar(pod: "store-0", ip: "10.0.0.1")), store.Current).OwnEndpointAddress.Should().Be("10.0.0.1");
        var web = ProxyViews.For(NodeParser.Parse(TestNodes.Sidecar(pod: "web-0", ip: "10.0.0.3")), store.Current);
        var client = ProxyViews.For(NodeParser.Parse(TestNodes.Sidecar(pod: "client", ip: "10.0.0.9")), store.Current);
        web.OwnEndpointAddress.Should().BeNull();
        client.OwnEndpointAddress.Should().BeNull();
    }

    private static Node Mosn(Node node)
    {
        node.Metadata.Fields[NodeParser.FlavorField] = Value.ForString("mosn");
        return node;
    }

    private static ProxyView ViewOf(Node node) => ProxyViews.For(NodeParser.Parse(node), MeshSnapshot.Empty);
}
