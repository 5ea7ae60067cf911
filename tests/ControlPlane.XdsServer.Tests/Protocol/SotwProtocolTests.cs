using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class SotwProtocolTests : ProtocolTestBase
{
    [Fact]
    public async Task First_request_is_answered_with_every_cluster()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());

        var response = await proxy.RequestAsync(TypeUrls.Cluster);

        response.TypeUrl.Should().Be(TypeUrls.Cluster);
        response.Nonce.Should().NotBeEmpty();
        response.VersionInfo.Should().NotBeEmpty();
        response.Resources.Select(r => r.Unpack<Cluster>().Name).Should()
            .Contain([ReviewsCluster, RatingsCluster, "BlackHoleCluster", "PassthroughCluster"]);
    }

    [Fact]
    public async Task Ack_with_the_same_names_is_not_answered()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);

        await proxy.AckAsync(clusters);

        await proxy.ExpectNothingPendingAsync("an ACK that changes no subscription needs no answer");
    }

    [Fact]
    public async Task Ack_that_changes_the_names_is_answered_with_the_new_set()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        var first = await proxy.RequestAsync(TypeUrls.Endpoint, [ReviewsCluster]);
        first.Resources.Select(r => r.Unpack<ClusterLoadAssignment>().ClusterName).Should().Equal(ReviewsCluster);

        await proxy.AckAsync(first, [ReviewsCluster, RatingsCluster]);
        var second = await proxy.NextAsync();

        second.TypeUrl.Should().Be(TypeUrls.Endpoint);
        second.Resources.Select(r => r.Unpack<ClusterLoadAssignment>().ClusterName).Should().BeEquivalentTo([ReviewsCluster, RatingsCluster]);
        second.Nonce.Should().NotBe(first.Nonce);
    }

    [Fact]
    public async Task Nack_is_recorded_and_the_rejected_version_is_not_sent_again()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "nacker"));
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
        var endpoints = await proxy.RequestAsync(TypeUrls.Endpoint, [ReviewsCluster]);
        await proxy.AckAsync(endpoints, [ReviewsCluster]);

        await proxy.SendAsync(TypeUrls.Cluster, version: "", nonce: clusters.Nonce, error: "cluster outbound|9080: bad thing");

        var syncz = await Eventually.Until(
            () => Server.Http.GetFromJsonAsync<JsonElement>("/debug/syncz"),
            json => json.ToString().Contains("bad thing", StringComparison.Ordinal),
            "the NACK to show in /debug/syncz");
        var cds = syncz.EnumerateArray().Single().GetProperty("types").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "CDS");
        cds.GetProperty("lastNack").GetProperty("version").GetString().Should().Be(clusters.VersionInfo);
        await Server.Logs.WaitForAsync("rejected \"CDS\"", "nacker.default");
        (await Server.Http.GetStringAsync("/metrics")).Should().Contain("controlplane_xds_nacks_total{type=\"CDS\"}");

        // An endpoint-only change pushes EDS; the rejected CDS content is unchanged and must not come again.
        await SetReviewsEndpointsAsync("10.1.0.1", "10.1.0.9");
        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        await proxy.AckAsync(pushed, [ReviewsCluster]);
        await proxy.ExpectNothingPendingAsync("the rejected cluster version must not be re-sent");
    }

    [Fact]
    public async Task A_new_version_after_a_nack_is_sent()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
        await proxy.SendAsync(TypeUrls.Cluster, nonce: clusters.Nonce, error: "rejected");

        await Server.WriteConfigAsync("extra.yaml", Manifests.Service("details", "default", "10.96.0.12", 9080));

        var next = await proxy.NextAsync();
        next.TypeUrl.Should().Be(TypeUrls.Cluster);
        next.VersionInfo.Should().NotBe(clusters.VersionInfo);
        next.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain("outbound|9080||details.default.svc.cluster.local");
    }

    [Fact]
    public async Task Stale_nonce_is_ignored()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        var first = await proxy.RequestAsync(TypeUrls.Endpoint, [ReviewsCluster]);
        await proxy.AckAsync(first, [ReviewsCluster, RatingsCluster]);
        var second = await proxy.NextAsync();
        await proxy.AckAsync(second, [ReviewsCluster, RatingsCluster]);

        // Answers the first response, long replaced, and asks for a different set: must be ignored.
        await proxy.SendAsync(TypeUrls.Endpoint, [RatingsCluster], first.VersionInfo, first.Nonce);

        await proxy.ExpectNothingPendingAsync("a request with a stale nonce is ignored");
    }

    [Fact]
    public async Task Mosn_style_repeat_of_the_same_version_and_nonce_is_a_no_op()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);

        for (var i = 0; i < 3; i++)
        {
            await proxy.AckAsync(clusters);
        }

        await proxy.ExpectNothingPendingAsync("MOSN re-sends its CDS ACK every 10s; that is no request for anything");
    }

    [Fact]
    public async Task Reconnect_with_a_version_and_no_nonce_is_answered()
    {
        string version;
        await using (var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar()))
        {
            var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
            await proxy.AckAsync(clusters);
            version = clusters.VersionInfo;
        }

        await using var reconnected = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await reconnected.SendAsync(TypeUrls.Cluster, version: version);
        var response = await reconnected.NextAsync();

        response.TypeUrl.Should().Be(TypeUrls.Cluster);
        response.VersionInfo.Should().Be(version, "the mesh did not change, so neither did the content");
        response.Resources.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Endpoint_only_change_pushes_only_eds()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Endpoint, [ReviewsCluster]), [ReviewsCluster]);
        var viewsBefore = Server.Stats.ViewsGenerated;

        await SetReviewsEndpointsAsync("10.1.0.7");

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        pushed.Resources.Single().Unpack<ClusterLoadAssignment>().Endpoints.Single().LbEndpoints.Single()
            .Endpoint.Address.SocketAddress.Address.Should().Be("10.1.0.7");
        await proxy.AckAsync(pushed, [ReviewsCluster]);
        await proxy.ExpectNothingPendingAsync("clusters and listeners did not change");
        Server.Stats.ViewsGenerated.Should().Be(viewsBefore + 1);
    }

    [Fact]
    public async Task Removed_service_disappears_from_the_next_cluster_response()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        await Server.WriteConfigAsync("mesh.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Cluster);
        var names = pushed.Resources.Select(r => r.Unpack<Cluster>().Name).ToList();
        names.Should().Contain(ReviewsCluster).And.NotContain(RatingsCluster, "CDS removes by omission");
    }

    [Fact]
    public async Task Unknown_type_url_is_ignored_and_the_stream_keeps_working()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendAsync("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", ["default"]);

        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);

        clusters.TypeUrl.Should().Be(TypeUrls.Cluster, "the secret request was ignored, not answered");
        await Server.Logs.WaitForAsync("does not serve", "Secret");
    }

    [Theory]
    [InlineData("sidecar~10.0.0.1~pod.ns", "has 3 part(s)")]
    [InlineData("gateway~10.0.0.1~pod.ns~ns.svc.cluster.local", "valid types are sidecar and router")]
    [InlineData("sidecar~not-an-ip~pod.ns~ns.svc.cluster.local", "no valid IP address")]
    [InlineData("", "node.id is empty")]
    public async Task Bad_node_id_ends_the_stream_with_invalid_argument(string id, string message)
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Raw(id));
        await proxy.SendAsync(TypeUrls.Cluster);

        var error = await FluentActions.Awaiting(() => proxy.NextAsync()).Should().ThrowAsync<RpcException>();

        error.Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Which.Status.Detail.Should().Contain(message);
    }

    [Fact]
    public async Task First_request_without_a_node_is_refused()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.SendRawAsync(new Envoy.Service.Discovery.V3.DiscoveryRequest { TypeUrl = TypeUrls.Cluster });

        var error = await FluentActions.Awaiting(() => proxy.NextAsync()).Should().ThrowAsync<RpcException>();

        error.Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Which.Status.Detail.Should().Contain("must carry node");
    }

    [Fact]
    public async Task Request_without_a_type_url_is_refused_and_other_proxies_are_unaffected()
    {
        await using var healthy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "healthy"));
        await healthy.AckAsync(await healthy.RequestAsync(TypeUrls.Cluster));
        await using var broken = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "broken"));

        await broken.SendAsync(string.Empty);

        var error = await FluentActions.Awaiting(() => broken.NextAsync()).Should().ThrowAsync<RpcException>();
        error.Which.Status.Detail.Should().Contain("type_url is required");
        await Server.WriteConfigAsync("extra.yaml", Manifests.Service("details", "default", "10.96.0.12", 9080));
        (await healthy.NextAsync()).TypeUrl.Should().Be(TypeUrls.Cluster, "the healthy proxy still gets pushes");
    }
}
