using ControlPlane.XdsServer.Delivery.Wire;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Endpoint.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Delivery;

public class PreparedResponsesTests
{
    private static readonly XdsResource A1 = Assignment("a", "10.0.0.1");
    private static readonly XdsResource A2 = Assignment("a", "10.0.0.2");
    private static readonly XdsResource B1 = Assignment("b", "10.0.1.1");
    private static readonly XdsResource C1 = Assignment("c", "10.0.2.1");

    [Fact]
    public void A_whole_set_is_prepared_once_and_reads_back_as_a_discovery_response_with_the_streams_nonce()
    {
        var prepared = new PreparedResponses("test");
        var set = new ResourceSet([A1, B1]);

        var first = prepared.Whole(TypeUrls.Endpoint, set);

        prepared.Whole(TypeUrls.Endpoint, set).Should().BeSameAs(first);
        var response = DiscoveryResponse.Parser.ParseFrom(AdsWire.ToBytes(new OutgoingResponse(first, "42")));
        response.Nonce.Should().Be("42");
        response.VersionInfo.Should().Be(prepared.VersionOf(set));
        response.TypeUrl.Should().Be(TypeUrls.Endpoint);
        response.ControlPlane.Identifier.Should().Be("test");
        response.Resources.Select(r => r.Unpack<ClusterLoadAssignment>().ClusterName).Should().Equal("a", "b");
    }

    [Fact]
    public void Changes_carry_only_what_differs_at_the_new_sets_version()
    {
        var prepared = new PreparedResponses("test");
        var before = new ResourceSet([A1, B1]);
        var after = new ResourceSet([A2, B1]);

        var changes = prepared.Changes(TypeUrls.Endpoint, before, after)!;

        prepared.Changes(TypeUrls.Endpoint, before, after).Should().BeSameAs(changes, "streams moving between the same sets share it");
        var response = DiscoveryResponse.Parser.ParseFrom(AdsWire.ToBytes(new OutgoingResponse(changes, "1")));
        response.Resources.Select(r => r.Unpack<ClusterLoadAssignment>().ClusterName).Should().Equal("a");
        response.VersionInfo.Should().Be(prepared.VersionOf(after));
        prepared.Changes(TypeUrls.Endpoint, after, new ResourceSet([A2, B1])).Should().BeNull("equal content is nothing to send");
    }

    [Fact]
    public void A_delta_transition_names_updated_and_removed_resources()
    {
        var prepared = new PreparedResponses("test");
        var before = new ResourceSet([A1, B1]);
        var after = new ResourceSet([A2, C1]);

        var transition = prepared.DeltaTransition(TypeUrls.Endpoint, before, after)!;

        var response = DeltaDiscoveryResponse.Parser.ParseFrom(AdsWire.ToBytes(new OutgoingResponse(transition, "7")));
        response.Nonce.Should().Be("7");
        response.Resources.Select(r => r.Name).Should().Equal("a", "c");
        response.Resources.Should().OnlyContain(r => r.Version.Length > 0);
        response.RemovedResources.Should().Equal("b");
        prepared.DeltaTransition(TypeUrls.Endpoint, before, after).Should().BeSameAs(transition);
    }

    [Fact]
    public void Within_the_names_a_proxy_holds_a_delta_leaves_out_what_it_has_not_subscribed_to()
    {
        var prepared = new PreparedResponses("test");
        var held = new ResourceSet([A1, B1]);

        var (added, holdsAfterAdd) = prepared.DeltaWithin(TypeUrls.Endpoint, held, new ResourceSet([A1, B1, C1]));
        var (changed, holdsAfterChange) = prepared.DeltaWithin(TypeUrls.Endpoint, held, new ResourceSet([A2, C1]));

        added.Should().BeNull("c was added, but the proxy has not asked for it yet");
        holdsAfterAdd.Should().BeSameAs(held);
        var response = DeltaDiscoveryResponse.Parser.ParseFrom(AdsWire.ToBytes(new OutgoingResponse(changed!, "8")));
        response.Resources.Select(r => r.Name).Should().Equal("a");
        response.RemovedResources.Should().Equal("b");
        holdsAfterChange.Resources.Keys.Should().Equal("a");
        holdsAfterChange.Find("a")!.Version.Should().Be(A2.Version);
    }

    private static XdsResource Assignment(string cluster, string address) =>
        XdsResource.Create(cluster, new ClusterLoadAssignment
        {
            ClusterName = cluster,
            Endpoints = { new LocalityLbEndpoints { LbEndpoints = { new LbEndpoint { Endpoint = new Endpoint { Address = new Envoy.Config.Core.V3.Address { SocketAddress = new Envoy.Config.Core.V3.SocketAddress { Address = address, PortValue = 80 } } } } } } },
        });
}
