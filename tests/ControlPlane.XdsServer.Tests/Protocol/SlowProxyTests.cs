using System.Text;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class SlowProxyTests
{
    [Fact]
    public async Task A_proxy_that_stops_reading_neither_blocks_others_nor_stays_connected()
    {
        await using var server = await StartWithBulkMeshAsync(options =>
        {
            options.SendTimeout = TimeSpan.FromSeconds(2);
            options.MaxConcurrentPushes = 1;
        });

        // Asks for everything, then never reads a byte of the answer.
        var stalled = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(server.Channel).StreamAggregatedResources();
        await stalled.RequestStream.WriteAsync(new DiscoveryRequest { Node = TestNodes.Sidecar(pod: "stalled"), TypeUrl = TypeUrls.Cluster });
        await Eventually.Until(() => server.Connections.Count == 1, "the stalled proxy to connect");

        await using var healthy = new SotwClient(server.Channel, TestNodes.Sidecar(pod: "healthy"));
        var clusters = await healthy.RequestAsync(TypeUrls.Cluster);
        clusters.Resources.Should().HaveCountGreaterThan(1500);
        await healthy.AckAsync(clusters);

        await server.WriteConfigAsync("more.yaml", Manifests.Service("late", "bulk", "10.98.0.1", 8080));
        var pushed = await healthy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain("outbound|8080||late.bulk.svc.cluster.local");

        await Eventually.Until(() => server.Connections.All.All(c => c.Node?.PodId != "stalled.default"), "the stalled proxy to be disconnected");
        await server.Logs.WaitForAsync("did not take a response");
        stalled.Dispose();
    }

    [Fact]
    public async Task A_stalled_proxy_gives_up_its_send_slot_so_large_pushes_to_others_go_on_long_before_the_send_timeout()
    {
        // One send slot, and a send timeout far beyond the test's own waits: the healthy proxy can
        // only get its large response if the stalled one's write lets go of the slot.
        await using var server = await StartWithBulkMeshAsync(options =>
        {
            options.SendTimeout = TimeSpan.FromMinutes(10);
            options.MaxConcurrentSends = 1;
            options.MaxSendSlotHold = TimeSpan.FromSeconds(1);
        });
        var stalled = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(server.Channel).StreamAggregatedResources();
        await stalled.RequestStream.WriteAsync(new DiscoveryRequest { Node = TestNodes.Sidecar(pod: "stalled"), TypeUrl = TypeUrls.Cluster });
        await Eventually.Until(() => server.StreamContext.Sends.Available == 0, "the stalled proxy's response to take the only send slot");

        await using var healthy = new SotwClient(server.Channel, TestNodes.Sidecar(pod: "healthy"));
        var clusters = await healthy.RequestAsync(TypeUrls.Cluster);
        clusters.CalculateSize().Should().BeGreaterThan(SendLimiter.LargeResponseBytes, "the response must be one that needs a send slot");
        clusters.Resources.Should().HaveCountGreaterThan(1500);
        await healthy.AckAsync(clusters);

        await server.WriteConfigAsync("more.yaml", Manifests.Service("late", "bulk", "10.98.0.1", 8080));
        var pushed = await healthy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain("outbound|8080||late.bulk.svc.cluster.local");

        // The stalled proxy is still connected (its send timeout is far off) and holds no slot.
        await server.Logs.WaitForAsync("is taking a response slowly");
        server.Connections.All.Should().Contain(c => c.Node != null && c.Node.PodId == "stalled.default");
        server.StreamContext.Sends.Available.Should().Be(1);
        stalled.Dispose();
    }

    /// <summary>A server with 1,500 services in one namespace, loaded: enough that one CDS response is far larger than an HTTP/2 stream window.</summary>
    private static async Task<XdsServerInstance> StartWithBulkMeshAsync(Action<XdsServerOptions> configure)
    {
        var mesh = new StringBuilder();
        for (var i = 0; i < 1500; i++)
        {
            mesh.Append(Manifests.Service($"svc-{i}", "bulk", $"10.97.{i / 250}.{i % 250 + 1}", 8080)).Append("\n---\n");
        }

        var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["bulk.yaml"] = mesh.ToString() }, configure);
        try
        {
            await Eventually.Until(() => server.Cache.Current.Mesh.Services.Count == 1500, "the bulk mesh to load");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
