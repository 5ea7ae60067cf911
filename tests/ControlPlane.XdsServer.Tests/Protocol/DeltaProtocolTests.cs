using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class DeltaProtocolTests : ProtocolTestBase
{
    [Fact]
    public async Task Wildcard_cluster_subscription_gets_everything_and_an_ack_gets_nothing()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync(TypeUrls.Cluster);

        var response = await proxy.NextAsync();

        response.Resources.Select(r => r.Name).Should().Contain([ReviewsCluster, RatingsCluster, "PassthroughCluster"]);
        response.Resources.Should().OnlyContain(r => r.Version.Length > 0 && r.Resource_.TypeUrl == TypeUrls.Cluster);
        response.RemovedResources.Should().BeEmpty();
        await proxy.AckAsync(response);
        await proxy.ExpectNothingPendingAsync("an ACK needs no answer");
    }

    [Fact]
    public async Task Reconnect_with_initial_resource_versions_sends_only_what_differs()
    {
        Dictionary<string, string> held;
        await using (var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar()))
        {
            await proxy.SendAsync(TypeUrls.Cluster);
            var all = await proxy.NextAsync();
            await proxy.AckAsync(all);
            held = all.Resources.ToDictionary(r => r.Name, r => r.Version);
        }

        held[RatingsCluster] = "stale-version";
        held["outbound|80||gone.default.svc.cluster.local"] = "old";
        await using var reconnected = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await reconnected.SendAsync(TypeUrls.Cluster, initialVersions: held);

        var response = await reconnected.NextAsync();
        response.Resources.Select(r => r.Name).Should().Equal(RatingsCluster);
        response.RemovedResources.Should().Equal("outbound|80||gone.default.svc.cluster.local");
    }

    [Fact]
    public async Task Nack_is_recorded_and_the_same_content_is_not_sent_again()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar(pod: "delta-nacker"));
        await proxy.SendAsync(TypeUrls.Cluster);
        var clusters = await proxy.NextAsync();
        await proxy.SendAsync(TypeUrls.Endpoint, subscribe: [ReviewsCluster]);
        await proxy.AckAsync(await proxy.NextAsync());

        await proxy.SendAsync(TypeUrls.Cluster, nonce: clusters.Nonce, error: "delta cluster rejected");
        await Eventually.Until(
            () => Server.Http.GetFromJsonAsync<JsonElement>("/debug/syncz"),
            json => json.ToString().Contains("delta cluster rejected", StringComparison.Ordinal),
            "the NACK to show in /debug/syncz");

        await SetReviewsEndpointsAsync("10.1.0.4");
        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        await proxy.AckAsync(pushed);
        await proxy.ExpectNothingPendingAsync("the rejected clusters did not change and are not re-sent");
    }
}
