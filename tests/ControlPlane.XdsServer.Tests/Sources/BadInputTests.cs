using System.Net;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Sources;

public sealed class BadInputTests
{
    private const string Good = "outbound|9080||good.default.svc.cluster.local";

    [Fact]
    public async Task Malformed_yaml_and_unknown_kinds_are_logged_by_file_and_everything_valid_is_served()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["good.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080),
            ["broken.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n",
            ["mixed.yaml"] = Manifests.Join(
                "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}",
                Manifests.Service("also-good", "default", "10.96.0.2", 8080),
                "apiVersion: v1\nkind: Service\nmetadata: {name: bad-port}\nspec:\n  ports:\n  - {name: http, port: 70000}"),
        });

        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        var clusters = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).ToList();

        clusters.Should().Contain([Good, "outbound|8080||also-good.default.svc.cluster.local"]);
        clusters.Should().NotContain(c => c.Contains("bad-port", StringComparison.Ordinal));
        var errors = server.Logs.Events.Where(e => e.Level == LogLevel.Error).Select(e => e.Message).ToList();
        errors.Should().Contain(m => m.Contains("broken.yaml", StringComparison.Ordinal) && m.Contains("invalid YAML", StringComparison.Ordinal));
        errors.Should().Contain(m => m.Contains("mixed.yaml", StringComparison.Ordinal) && m.Contains("unsupported kind Widget", StringComparison.Ordinal));
        errors.Should().Contain(m => m.Contains("Service default/bad-port", StringComparison.Ordinal) && m.Contains("out of range", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_breaks_keeps_its_last_good_objects()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["svc.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080),
        });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        await server.WriteConfigAsync("svc.yaml", Manifests.Join(
            "kind: Service\napiVersion: v1\nmetadata: {name: good\n  broken",
            Manifests.Service("second", "default", "10.96.0.2", 9080)));

        var pushed = await proxy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should()
            .Contain([Good, "outbound|9080||second.default.svc.cluster.local"], "the broken document is not allowed to drop the service it used to define");
        await Eventually.Until(() => server.Logs.Events.Any(e => e.Level == LogLevel.Error && e.Message.Contains("svc.yaml", StringComparison.Ordinal)), "the error to be logged");
    }

    [Fact]
    public async Task Removing_a_file_withdraws_its_objects()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["a.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080),
            ["b.yaml"] = Manifests.Service("other", "default", "10.96.0.2", 9080),
        });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        server.DeleteConfig("b.yaml");

        var pushed = await proxy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain(Good).And.NotContain(c => c.Contains("other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_bytes_on_the_ads_method_fail_that_call_only()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["a.yaml"] = Manifests.Service("good", "default", "10.96.0.1", 9080),
        });
        await using var healthy = new SotwClient(server.Channel, TestNodes.Sidecar(pod: "healthy"));
        await healthy.AckAsync(await healthy.RequestAsync(TypeUrls.Cluster));

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.GrpcAddress, "/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // A gRPC frame header announcing 5 bytes of "protobuf" that is not protobuf.
            Content = new ByteArrayContent([0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff]),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        var grpcStatus = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.Single()
            : response.Headers.GetValues("grpc-status").Single();
        grpcStatus.Should().NotBe("0", "undecodable requests fail their call");

        await server.WriteConfigAsync("b.yaml", Manifests.Service("after", "default", "10.96.0.3", 9080));
        (await healthy.NextAsync()).TypeUrl.Should().Be(TypeUrls.Cluster, "the server and the other proxy carry on");
    }
}
