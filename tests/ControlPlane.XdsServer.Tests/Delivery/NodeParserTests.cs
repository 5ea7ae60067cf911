using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Delivery;

public class NodeParserTests
{
    [Fact]
    public void A_node_is_envoy_unless_it_says_otherwise()
    {
        NodeParser.Parse(TestNodes.Sidecar()).Flavor.Should().Be(ProxyFlavor.Envoy);
    }

    [Theory]
    [InlineData("mosn")]
    [InlineData("MOSN")]
    public void Metadata_PROXY_FLAVOR_marks_a_mosn_node(string value)
    {
        var node = TestNodes.Sidecar();
        node.Metadata.Fields[NodeParser.FlavorField] = Value.ForString(value);

        NodeParser.Parse(node).Flavor.Should().Be(ProxyFlavor.Mosn);
    }

    [Fact]
    public void The_injectors_pod_label_in_LABELS_marks_a_mosn_node()
    {
        var node = TestNodes.Sidecar();
        var labels = new Struct();
        labels.Fields[NodeParser.FlavorLabel] = Value.ForString("mosn");
        node.Metadata.Fields["LABELS"] = Value.ForStruct(labels);

        NodeParser.Parse(node).Flavor.Should().Be(ProxyFlavor.Mosn);
    }

    [Fact]
    public void An_unknown_flavor_is_envoy()
    {
        var node = TestNodes.Sidecar();
        node.Metadata.Fields[NodeParser.FlavorField] = Value.ForString("linkerd");

        NodeParser.Parse(node).Flavor.Should().Be(ProxyFlavor.Envoy);
    }
}
