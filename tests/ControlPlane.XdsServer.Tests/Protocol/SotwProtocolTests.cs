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
