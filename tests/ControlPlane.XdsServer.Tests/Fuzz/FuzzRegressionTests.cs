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
}
