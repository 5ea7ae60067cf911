using System.Net;
using System.Text.Json;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class DebugEndpointTests : ProtocolTestBase
{
    [Fact]
    public async Task Config_dump_shows_a_connected_proxys_config_in_envoy_admin_shape()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "dumped"));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        var dump = JsonDocument.Parse(await Server.Http.GetStringAsync("/debug/config_dump?proxyID=dumped.default")).RootElement;

        var types = dump.GetProperty("configs").EnumerateArray().Select(c => c.GetProperty("@type").GetString()).ToList();
        types.Should().Equal(
            "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
            "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
            "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
            "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
        dump.ToString().Should().Contain(ReviewsCluster).And.Contain("virtualOutbound");
    }

    [Fact]
    public async Task Config_dump_of_an_unknown_proxy_is_not_found()
    {
        var response = await Server.Http.GetAsync("/debug/config_dump?proxyID=nobody.nowhere");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Syncz_lists_sent_and_acked_versions_per_type()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "synced"));
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
        await proxy.AckAsync(clusters);

        var cds = await Eventually.Until(
            async () => JsonDocument.Parse(await Server.Http.GetStringAsync("/debug/syncz")).RootElement
                .EnumerateArray().Single().GetProperty("types").EnumerateArray().Single(),
            type => type.GetProperty("ackedVersion").ValueKind == JsonValueKind.String,
            "the ACK to show in /debug/syncz");

        cds.GetProperty("type").GetString().Should().Be("CDS");
        cds.GetProperty("sentVersion").GetString().Should().Be(clusters.VersionInfo);
        cds.GetProperty("ackedVersion").GetString().Should().Be(clusters.VersionInfo);
        cds.GetProperty("synced").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        var metrics = await Server.Http.GetStringAsync("/metrics");

        metrics.Should().Contain("# TYPE controlplane_xds_connected_proxies gauge")
            .And.Contain("controlplane_xds_responses_total{type=\"CDS\"}");
    }
}
