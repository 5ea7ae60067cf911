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
    public async Task Subscribing_adds_only_the_new_name_and_unsubscribed_names_are_not_pushed()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync(TypeUrls.Endpoint, subscribe: [ReviewsCluster]);
        var first = await proxy.NextAsync();
        first.Resources.Select(r => r.Name).Should().Equal(ReviewsCluster);
        await proxy.AckAsync(first);

        await proxy.SendAsync(TypeUrls.Endpoint, subscribe: [RatingsCluster]);
        var second = await proxy.NextAsync();
        second.Resources.Select(r => r.Name).Should().Equal([RatingsCluster], "the proxy already holds the reviews endpoints");
        await proxy.AckAsync(second);

        await proxy.SendAsync(TypeUrls.Endpoint, unsubscribe: [ReviewsCluster]);
        await SetReviewsEndpointsAsync("10.1.0.8");

        await proxy.ExpectNothingPendingAsync("the proxy no longer subscribes to the reviews endpoints");
    }

    [Fact]
    public async Task Changed_endpoints_are_pushed_as_one_resource()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync(TypeUrls.Endpoint, subscribe: [ReviewsCluster, RatingsCluster]);
        await proxy.AckAsync(await proxy.NextAsync());

        await SetReviewsEndpointsAsync("10.1.0.3");

        var pushed = await proxy.NextAsync();
        pushed.Resources.Select(r => r.Name).Should().Equal(ReviewsCluster);
        pushed.Resources.Single().Resource_.Unpack<ClusterLoadAssignment>().Endpoints.Single().LbEndpoints.Single()
            .Endpoint.Address.SocketAddress.Address.Should().Be("10.1.0.3");
    }

    [Fact]
    public async Task Deleted_service_is_sent_as_removed()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync(TypeUrls.Cluster);
        await proxy.AckAsync(await proxy.NextAsync());

        await Server.WriteConfigAsync("mesh.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Cluster);
        pushed.RemovedResources.Should().Equal(RatingsCluster);
        pushed.Resources.Should().BeEmpty("nothing else changed");
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
    public async Task Unknown_names_are_answered_as_removed()
    {
        await using var proxy = new DeltaClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync(TypeUrls.Endpoint, subscribe: ["outbound|1||nowhere.default.svc.cluster.local"]);

        var response = await proxy.NextAsync();

        response.Resources.Should().BeEmpty();
        response.RemovedResources.Should().Equal("outbound|1||nowhere.default.svc.cluster.local");
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
