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

    private static Node Mosn(Node node)
    {
        node.Metadata.Fields[NodeParser.FlavorField] = Value.ForString("mosn");
        return node;
    }

    private static ProxyView ViewOf(Node node) => ProxyViews.For(NodeParser.Parse(node), MeshSnapshot.Empty);
}
