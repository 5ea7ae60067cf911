using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Delivery;

public class NodeParserTests
{
    [Fact]
    public void The_nodes_locality_is_read_and_empty_when_it_has_none()
    {
        var node = TestNodes.Sidecar();
        NodeParser.Parse(node).Locality.Should().Be(LocalityLabel.Empty);

        node.Locality = new Envoy.Config.Core.V3.Locality { Region = "us-east1", Zone = "us-east1-b", SubZone = "rack7" };
        NodeParser.Parse(node).Locality.Should().Be(new LocalityLabel("us-east1", "us-east1-b", "rack7"));
    }

    [Fact]
    public void An_overlong_locality_is_refused_with_the_field_named()
    {
        var node = TestNodes.Sidecar();
        node.Locality = new Envoy.Config.Core.V3.Locality { Zone = new string('z', NodeParser.MaxLocalityPartLength + 1) };

        FluentActions.Invoking(() => NodeParser.Parse(node)).Should().Throw<FormatException>().WithMessage("node.locality.zone is *");
    }

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
