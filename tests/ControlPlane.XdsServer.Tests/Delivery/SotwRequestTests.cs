using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Delivery.Wire;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.XdsServer.Tests.Delivery;

public class SotwRequestTests
{
    [Fact]
    public void Every_field_reads_as_protobuf_reads_it()
    {
        var request = new DiscoveryRequest
        {
            VersionInfo = "v1",
            Node = TestNodes.Sidecar(pod: "reader"),
            TypeUrl = TypeUrls.Endpoint,
            ResponseNonce = "17",
            ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "bad cluster" },
            ResourceNames = { "outbound|80||a.default.svc.cluster.local", "outbound|80||b.default.svc.cluster.local", "ünïcode" },
        };

        var read = SotwRequest.Parse(request.ToByteArray());

        read.VersionInfo.Should().Be("v1");
        read.TypeUrl.Should().Be(TypeUrls.Endpoint);
        read.ResponseNonce.Should().Be("17");
        read.Node.Should().Be(request.Node);
        read.ErrorDetail.Should().Be(request.ErrorDetail);
        read.Names().Should().Equal(request.ResourceNames);
        read.NamesWildcard.Should().BeFalse();
        read.NamesFingerprint.Should().Be(NameSetFingerprint.Of(request.ResourceNames), "names read from bytes and from strings fingerprint alike");
    }

    [Fact]
    public void The_wildcard_name_is_flagged_and_left_out_of_names_and_fingerprint()
    {
        var request = new DiscoveryRequest { TypeUrl = TypeUrls.Cluster, ResourceNames = { "*", "a" } };

        var read = SotwRequest.Parse(request.ToByteArray());

        read.NamesWildcard.Should().BeTrue();
        read.HasNames.Should().BeTrue();
        read.Names().Should().Equal("a");
        read.NamesFingerprint.Should().Be(NameSetFingerprint.Of(["a"]));
        read.Node.Should().BeNull();
        read.ErrorDetail.Should().BeNull();
    }

    [Fact]
    public void The_order_of_names_does_not_change_the_fingerprint()
    {
        var one = SotwRequest.Parse(new DiscoveryRequest { ResourceNames = { "a", "b", "c" } }.ToByteArray());
        var other = SotwRequest.Parse(new DiscoveryRequest { ResourceNames = { "c", "a", "b" } }.ToByteArray());

        one.NamesFingerprint.Should().Be(other.NamesFingerprint);
        one.NamesFingerprint.Should().NotBe(SotwRequest.Parse(new DiscoveryRequest { ResourceNames = { "a", "b" } }.ToByteArray()).NamesFingerprint);
    }

    [Fact]
    public void Unknown_fields_are_skipped()
    {
        var bytes = new DiscoveryRequest { TypeUrl = TypeUrls.Route, ResourceNames = { "9080" } }.ToByteArray()
            .Concat(new byte[] { (9 << 3) | 0, 42, (10 << 3) | 2, 2, 1, 2, (11 << 3) | 5, 0, 0, 0, 0 }).ToArray();

        var read = SotwRequest.Parse(bytes);

        read.TypeUrl.Should().Be(TypeUrls.Route);
        read.Names().Should().Equal("9080");
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x10, 0x61 })]
    [InlineData(new byte[] { 0x22 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void Malformed_bytes_are_refused_as_protobuf_refuses_them(byte[] bytes)
    {
        FluentActions.Invoking(() => SotwRequest.Parse(bytes)).Should().Throw<InvalidProtocolBufferException>();
    }
}
