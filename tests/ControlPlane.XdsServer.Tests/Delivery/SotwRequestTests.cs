using System.Buffers;
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

    [Fact]
    public void Unknown_groups_are_skipped_as_protobuf_skips_them_nested_ones_too()
    {
        // Field 9 as a group holding field 10 as a group holding a varint, then field 11 as an empty group.
        var bytes = new DiscoveryRequest { TypeUrl = TypeUrls.Route, ResourceNames = { "9080" } }.ToByteArray()
            .Concat(new byte[] { (9 << 3) | 3, (10 << 3) | 3, (1 << 3) | 0, 7, (10 << 3) | 4, (9 << 3) | 4, (11 << 3) | 3, (11 << 3) | 4 }).ToArray();
        DiscoveryRequest.Parser.ParseFrom(bytes).TypeUrl.Should().Be(TypeUrls.Route, "protobuf reads it");

        var read = SotwRequest.Parse(bytes);

        read.TypeUrl.Should().Be(TypeUrls.Route);
        read.Names().Should().Equal("9080");
    }

    [Theory]
    [InlineData(new byte[] { (9 << 3) | 3, (10 << 3) | 4 })]
    [InlineData(new byte[] { (9 << 3) | 4 })]
    [InlineData(new byte[] { (9 << 3) | 3 })]
    public void Groups_that_do_not_close_properly_are_refused_as_protobuf_refuses_them(byte[] bytes)
    {
        FluentActions.Invoking(() => SotwRequest.Parse(bytes)).Should().Throw<InvalidProtocolBufferException>();
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x10, 0x61 })]
    [InlineData(new byte[] { 0x22 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void Malformed_bytes_are_refused_as_protobuf_refuses_them(byte[] bytes)
    {
        FluentActions.Invoking(() => SotwRequest.Parse(bytes)).Should().Throw<InvalidProtocolBufferException>();
    }

    [Fact]
    public void A_request_split_across_buffer_segments_reads_as_a_whole_one()
    {
        var request = new DiscoveryRequest
        {
            Node = TestNodes.Sidecar(pod: "segments"),
            TypeUrl = TypeUrls.Endpoint,
            ResponseNonce = "3",
            ResourceNames = { Enumerable.Range(0, 200).Select(i => $"outbound|8080||svc-{i}.ns.svc.cluster.local") },
        };
        var bytes = request.ToByteArray();

        // As Kestrel hands a large request over: in blocks, names cut across their boundaries.
        var read = SotwRequest.Parse(Segmented(bytes, 4096));

        read.Node.Should().Be(request.Node);
        read.Names().Should().Equal(request.ResourceNames);
        read.NamesFingerprint.Should().Be(NameSetFingerprint.Of(request.ResourceNames));
    }

    [Fact]
    public void A_released_request_keeps_its_fields_and_fingerprint_but_refuses_its_bytes()
    {
        var request = new DiscoveryRequest { TypeUrl = TypeUrls.Endpoint, ResponseNonce = "9", ResourceNames = { "a", "b" }, ErrorDetail = new Google.Rpc.Status { Message = "no" } };
        var read = SotwRequest.Parse(request.ToByteArray());

        read.Release();
        read.Release();

        read.TypeUrl.Should().Be(TypeUrls.Endpoint);
        read.ResponseNonce.Should().Be("9");
        read.NamesFingerprint.Should().Be(NameSetFingerprint.Of(["a", "b"]));
        read.HasNames.Should().BeTrue();
        FluentActions.Invoking(read.Names).Should().Throw<ObjectDisposedException>("its buffer may already hold another request");
        FluentActions.Invoking(() => read.ErrorDetail).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void An_ack_naming_a_set_some_stream_holds_takes_that_set_and_gives_its_buffer_back_at_once()
    {
        var sets = new NameSets();
        var (held, _) = sets.Intern(["outbound|80||a.default.svc.cluster.local", "outbound|80||b.default.svc.cluster.local"]);
        var ack = new DiscoveryRequest { TypeUrl = TypeUrls.Endpoint, ResponseNonce = "4", VersionInfo = "v4", ResourceNames = { held.Reverse() } };

        var read = SotwRequest.Parse(new ReadOnlySequence<byte>(ack.ToByteArray()), sets);

        FluentActions.Invoking(read.Names).Should().Throw<ObjectDisposedException>("the bytes went back to the pool while parsing");
        read.InternNames(sets).Names.Should().BeSameAs(held);
        read.VersionInfo.Should().Be("v4");
    }

    [Fact]
    public void A_request_with_new_names_a_node_or_an_error_keeps_its_bytes_until_released()
    {
        var sets = new NameSets();
        sets.Intern(["a"]);
        var requests = new[]
        {
            new DiscoveryRequest { TypeUrl = TypeUrls.Endpoint, ResourceNames = { "b" } },
            new DiscoveryRequest { TypeUrl = TypeUrls.Endpoint, ResourceNames = { "a" }, Node = TestNodes.Sidecar(pod: "first") },
            new DiscoveryRequest { TypeUrl = TypeUrls.Endpoint, ResourceNames = { "a" }, ErrorDetail = new Google.Rpc.Status { Message = "rejected" } },
        };

        foreach (var request in requests)
        {
            var read = SotwRequest.Parse(new ReadOnlySequence<byte>(request.ToByteArray()), sets);
            read.Names().Should().Equal(request.ResourceNames);
            read.InternNames(sets).Names.Should().BeEquivalentTo(request.ResourceNames);
        }
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        var chunks = bytes.Chunk(size).ToList();
        var first = new Segment(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            last = last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
