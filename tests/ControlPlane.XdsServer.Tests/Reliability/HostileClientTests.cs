using System.Net.Http.Json;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Reliability;

/// <summary>Clients that flood, lie about themselves or just leave: bounded cost, clear errors, quiet logs.</summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private XdsServerInstance _server = null!;

    public async Task InitializeAsync()
    {
        _server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = Manifests.Join(
                Manifests.Service("reviews", "default", "10.96.0.10", 9080),
                Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")),
        });
        await Eventually.Until(() => _server.Cache.Current.Mesh.Services.Count == 1, "the mesh to load");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_client_that_floods_requests_and_never_reads_is_held_back_by_flow_control()
    {
        const int Flood = 60;

        // Big enough that a few unread responses fill the client's HTTP/2 window and the server's writes wait.
        await _server.WriteConfigAsync("many.yaml", Manifests.Join(Enumerable.Range(0, 300)
            .Select(n => Manifests.Service($"svc-{n}", "default", $"10.96.{1 + (n / 200)}.{n % 200}", 9080)).ToArray()));
        await Eventually.Until(() => _server.Cache.Current.Mesh.Services.Count == 301, "the big mesh to load");
        using var flooders = new CancellationTokenSource();

        // Each on its own connection, as each proxy is: a stream that does not read fills its
        // connection's HTTP/2 window too, and would hold back anything else sharing it.
        var channels = Enumerable.Range(0, 3).Select(_ => GrpcChannel.ForAddress(_server.GrpcAddress)).ToList();
        var calls = channels
            .Select(channel => new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources(cancellationToken: flooders.Token))
            .ToList();
        var writers = calls.Select((call, i) => Task.Run(async () =>
        {
            // Each request asks for everything again (empty nonce), and carries 20,000 names besides.
            var request = new DiscoveryRequest { TypeUrl = TypeUrls.Cluster, Node = TestNodes.Sidecar(pod: $"flooder-{i}") };
            request.ResourceNames.Add("*");
            request.ResourceNames.AddRange(Enumerable.Range(0, 20_000).Select(n => $"outbound|9080||flood-{n}.default.svc.cluster.local"));
            for (var n = 0; n < Flood; n++)
            {
                await call.RequestStream.WriteAsync(request, flooders.Token);
            }
        })).ToList();

        await Eventually.Until(
            () => _server.Connections.All.Count(c => c.Node?.PodId.StartsWith("flooder-", StringComparison.Ordinal) == true && c.ReadingPaused) == calls.Count || writers.Any(w => w.IsCompleted),
            "every flooder's stream to stop reading");

        writers.Should().OnlyContain(w => !w.IsCompleted, "the server must not have taken all the requests");
        _server.Connections.All.Where(c => c.Node?.PodId.StartsWith("flooder-", StringComparison.Ordinal) == true)
            .Should().OnlyContain(c => c.RequestsRead < Flood);

        // The others are served as usual.
        using var healthyChannel = GrpcChannel.ForAddress(_server.GrpcAddress);
        await using var healthy = new SotwClient(healthyChannel, TestNodes.Sidecar(pod: "healthy"));
        await healthy.AckAsync(await healthy.RequestAsync(TypeUrls.Cluster));
        await _server.WriteConfigAsync("extra.yaml", Manifests.Service("details", "default", "10.96.0.12", 9080));
        (await healthy.NextAsync()).TypeUrl.Should().Be(TypeUrls.Cluster);

        await flooders.CancelAsync();
        foreach (var call in calls)
        {
            call.Dispose();
        }

        channels.ForEach(c => c.Dispose());

        await Eventually.Until(() => _server.Connections.Count == 1, "the flooders' streams to end");
    }

    [Fact]
    public async Task A_request_larger_than_the_limit_ends_only_its_stream()
    {
        await using var big = new SotwClient(_server.Channel, TestNodes.Sidecar(pod: "big"));

        // The server may end the call while the request is still being written, or after.
        var error = await FluentActions.Awaiting(async () =>
        {
            await big.SendAsync(TypeUrls.Endpoint, Enumerable.Range(0, 100_000).Select(n => $"outbound|9080||name-{n}.default.svc.cluster.local"));
            await big.NextAsync();
        }).Should().ThrowAsync<RpcException>();

        // The client sees the server's RESOURCE_EXHAUSTED, or its own write cut short by it.
        error.Which.StatusCode.Should().BeOneOf(StatusCode.ResourceExhausted, StatusCode.Cancelled);
        await _server.Logs.WaitForAsync("Closing ADS stream", "exceeds the maximum");
        await using var healthy = new SotwClient(_server.Channel, TestNodes.Sidecar(pod: "healthy"));
        (await healthy.RequestAsync(TypeUrls.Cluster)).Resources.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_huge_node_id_is_refused_and_not_logged()
    {
        var node = TestNodes.Sidecar();
        node.Id = "sidecar~10.0.0.1~" + new string('a', 1_000_000) + ".default~default.svc.cluster.local";
        await using var proxy = new SotwClient(_server.Channel, node);
        await proxy.SendAsync(TypeUrls.Cluster);

        var error = await FluentActions.Awaiting(() => proxy.NextAsync()).Should().ThrowAsync<RpcException>();

        error.Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Which.Status.Detail.Should().Contain("at most 1024");
        await _server.Logs.WaitForAsync("Closing ADS stream", "at most 1024");
        _server.Logs.Events.Should().OnlyContain(e => e.Message.Length < 2_000, "client input is never logged unbounded");
    }

    [Fact]
    public async Task Huge_node_metadata_is_refused()
    {
        var node = TestNodes.Sidecar();
        node.Metadata.Fields["JUNK"] = Google.Protobuf.WellKnownTypes.Value.ForString(new string('x', 600_000));
        await using var proxy = new SotwClient(_server.Channel, node);
        await proxy.SendAsync(TypeUrls.Cluster);

        var error = await FluentActions.Awaiting(() => proxy.NextAsync()).Should().ThrowAsync<RpcException>();

        error.Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Which.Status.Detail.Should().Contain("node.metadata");
    }

    [Fact]
    public async Task A_proxy_that_closes_its_stream_is_logged_as_disconnected_without_warnings()
    {
        var proxy = new SotwClient(_server.Channel, TestNodes.Sidecar(pod: "leaver"));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        await proxy.DisposeAsync();

        await _server.Logs.WaitForAsync("disconnected", "leaver.default");
        _server.Logs.Events.Where(e => e.Level >= LogLevel.Warning).Should().BeEmpty("leaving is how streams end");
    }

    [Fact]
    public async Task A_proxy_that_resets_its_stream_is_logged_as_disconnected_without_warnings()
    {
        // Which of "the request stream failed" and "the call was aborted" the server sees first
        // varies; many resets cover both orders.
        for (var i = 0; i < 20; i++)
        {
            using var cancel = new CancellationTokenSource();
            var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_server.Channel).StreamAggregatedResources(cancellationToken: cancel.Token);
            await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = TypeUrls.Cluster, Node = TestNodes.Sidecar(pod: $"resetter-{i}") });
            await call.ResponseStream.MoveNext(CancellationToken.None);

            await cancel.CancelAsync();
            call.Dispose();
            await _server.Logs.WaitForAsync("disconnected", $"resetter-{i}.default");
        }

        _server.Logs.Events.Where(e => e.Level >= LogLevel.Warning).Should().BeEmpty("a reset stream is a proxy leaving");
    }

    [Fact]
    public async Task Unknown_names_are_counted_and_logged_once_per_stream_at_debug()
    {
        await using var proxy = new SotwClient(_server.Channel, TestNodes.Sidecar(pod: "asker"));
        var first = await proxy.RequestAsync(TypeUrls.Endpoint, ["outbound|1||missing-a.default.svc.cluster.local"]);
        await proxy.AckAsync(first, ["outbound|1||missing-a.default.svc.cluster.local", "outbound|1||missing-b.default.svc.cluster.local"]);
        await proxy.AckAsync(await proxy.NextAsync(), ["outbound|1||missing-a.default.svc.cluster.local", "outbound|1||missing-b.default.svc.cluster.local"]);
        await proxy.ExpectNothingPendingAsync("an ACK");

        var logged = _server.Logs.Events.Where(e => e.Message.Contains("do not exist", StringComparison.Ordinal) && e.Message.Contains("asker.default", StringComparison.Ordinal) && e.Message.Contains("\"EDS\"", StringComparison.Ordinal)).ToList();
        logged.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Debug);
        (await _server.Http.GetStringAsync("/metrics")).Should().Contain("controlplane_xds_unknown_resource_names_total{type=\"EDS\"}");
    }
}
