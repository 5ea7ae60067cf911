using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Fuzz;

/// <summary>What the fuzzers found, kept as plain tests.</summary>
public sealed class FuzzRegressionTests
{
    private static readonly Method<byte[], byte[]> RawSotw = new(
        MethodType.DuplexStreaming, "envoy.service.discovery.v3.AggregatedDiscoveryService", "StreamAggregatedResources",
        Marshallers.Create(bytes => bytes, bytes => bytes), Marshallers.Create(bytes => bytes, bytes => bytes));

    /// <summary>AdsFuzzTests.Mutated_request_bytes_end_cleanly: a truncated request ended its stream with INTERNAL.</summary>
    [Fact]
    public async Task A_truncated_discovery_request_ends_its_stream_with_invalid_argument()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["a.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080) });
        var valid = new DiscoveryRequest { TypeUrl = TypeUrls.Cluster, Node = TestNodes.Sidecar() }.ToByteArray();
        using var call = server.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawSotw, null, new CallOptions());

        await call.RequestStream.WriteAsync(valid[..(valid.Length - 3)]);

        var error = await FluentActions.Awaiting(async () => await call.ResponseStream.MoveNext(CancellationToken.None)).Should().ThrowAsync<RpcException>();
        error.Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Which.Status.Detail.Should().StartWith("the request is not a valid DiscoveryRequest");
        await server.Logs.WaitForAsync("Closing ADS stream", "not a valid DiscoveryRequest");
    }

    /// <summary>AdsFuzzTests: a NACK's error message was logged and kept whole, however long.</summary>
    [Fact]
    public async Task A_huge_nack_message_is_logged_and_kept_only_in_part()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["a.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080) });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar(pod: "nacker"));
        var response = await proxy.RequestAsync(TypeUrls.Cluster);

        await proxy.SendAsync(TypeUrls.Cluster, version: new string('v', 100_000), nonce: response.Nonce, error: new string('e', 1_000_000));
        await proxy.ExpectNothingPendingAsync("a NACK is not answered");

        var nack = server.Logs.Events.Single(e => e.Message.Contains("rejected", StringComparison.Ordinal) && e.Message.Contains("nacker.default", StringComparison.Ordinal));
        nack.Message.Length.Should().BeLessThan(4096);
        server.Connections.All.Single(c => c.Node!.Id.Contains("nacker", StringComparison.Ordinal)).Statuses()
            .Single(s => s.TypeUrl == TypeUrls.Cluster).LastNack!.Message.Length.Should().BeLessThanOrEqualTo(2049);
    }

    /// <summary>AdsFuzzTests.Mutated_request_bytes_end_cleanly: a LABELS value without a kind (valid protobuf) ended the stream with INTERNAL.</summary>
    [Fact]
    public async Task A_label_value_without_a_kind_is_skipped()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["a.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080) });
        var node = TestNodes.Sidecar(pod: "odd-labels");
        node.Metadata.Fields["LABELS"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(new Google.Protobuf.WellKnownTypes.Struct
        {
            Fields = { ["app"] = Google.Protobuf.WellKnownTypes.Value.ForString("web"), ["empty"] = new Google.Protobuf.WellKnownTypes.Value() },
        });
        await using var proxy = new SotwClient(server.Channel, node);

        (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Should().NotBeEmpty();
        server.Connections.All.Single(c => c.Node!.Id.Contains("odd-labels", StringComparison.Ordinal)).Node!.Labels.Should().ContainKey("app").And.NotContainKey("empty");
    }
}
