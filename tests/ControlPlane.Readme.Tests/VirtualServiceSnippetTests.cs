using ControlPlane.EndToEnd.Tests.Infrastructure;
using ControlPlane.Readme.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace ControlPlane.Readme.Tests;

/// <summary>
/// The README's VirtualService, added to the example mesh of the xds-server it runs, reaches a
/// sidecar as the README says: its routes for reviews on port 9080, the other services untouched;
/// and a proxyless gRPC client, reshaped as the README says.
/// </summary>
public sealed class VirtualServiceSnippetTests(ITestOutputHelper output)
{
    private const string Reviews = "reviews.bookinfo.svc.cluster.local";

    [Fact]
    public async Task The_virtual_service_example_gives_sidecars_the_routes_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("kind: VirtualService", StringComparison.Ordinal));
        var readme = await File.ReadAllTextAsync(ReadmeFile.Path);
        readme.Should().Contain($"`{Reviews}:9080` in route `9080`").And.Contain($"`outbound|9080|v2|{Reviews}`").And.Contain("90/10").And.Contain("5 s timeout")
            .And.Contain("up to 3 retries of\n2 s each on 5xx", "the test checks what this text says");

        using var work = ExampleMeshDirectory.With(("virtualservice.yaml", snippet.Text));
        await using var server = ControlPlaneProcess.Start("xds-server", ["--config-dir", work.Path, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
        await server.WaitReadyAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{await server.PortOfAsync("grpc")}");

        // "every sidecar": one in the VirtualService's namespace, one elsewhere.
        foreach (var ns in new[] { "bookinfo", "data" })
        {
            var routes = await RoutesAsync(channel, ns);
            var reviews = routes.VirtualHosts.Single(h => h.Name == $"{Reviews}:9080");
            reviews.Routes.Should().HaveCount(2);

            var testers = reviews.Routes[0];
#pragma warning disable CS0612, CS0618 // the matcher field istiod 1.10 writes
            testers.Match.Headers.Should().ContainSingle().Which.Should().Match<HeaderMatcher>(h => h.Name == "end-user" && h.ExactMatch == "jason");
#pragma warning restore CS0612, CS0618
            testers.Route_.Cluster.Should().Be($"outbound|9080|v2|{Reviews}");

            var rest = reviews.Routes[1].Route_;
            rest.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight)).Should().Equal(($"outbound|9080|v1|{Reviews}", 90u), ($"outbound|9080|v2|{Reviews}", 10u));
            rest.Timeout.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(5));
            rest.RetryPolicy.NumRetries.Should().Be(3);
            rest.RetryPolicy.PerTryTimeout.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(2));
            rest.RetryPolicy.RetryOn.Should().Be("5xx");

            routes.VirtualHosts.Single(h => h.Name == "productpage.bookinfo.svc.cluster.local:9080").Routes.Single().Name
                .Should().Be("default", "other services keep their default route");
        }
    }

    [Fact]
    public async Task The_virtual_service_example_gives_proxyless_grpc_clients_the_routes_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("kind: VirtualService", StringComparison.Ordinal));
        var readme = await File.ReadAllTextAsync(ReadmeFile.Path);
        readme.Should().Contain($"`xds:///{Reviews}:9080`").And.Contain($"route configuration\n`{Reviews}:9080`").And.Contain("5 s timeout as `max_stream_duration`")
            .And.Contain("on the split\nroute no retry policy", "the test checks what this text says");

        using var work = ExampleMeshDirectory.With(("virtualservice.yaml", snippet.Text));
        await using var server = ControlPlaneProcess.Start("xds-server", ["--config-dir", work.Path, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
        await server.WaitReadyAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{await server.PortOfAsync("grpc")}");

        foreach (var ns in new[] { "bookinfo", "data" })
        {
            var routes = await RoutesAsync(channel, ns, $"{Reviews}:9080", generator: "grpc");
            var reviews = routes.VirtualHosts.Single();
            reviews.Routes.Should().HaveCount(2);

            var testers = reviews.Routes[0];
#pragma warning disable CS0612, CS0618 // the matcher field istiod 1.10 writes
            testers.Match.Headers.Should().ContainSingle().Which.Should().Match<HeaderMatcher>(h => h.Name == "end-user" && h.ExactMatch == "jason");
#pragma warning restore CS0612, CS0618
            testers.Route_.Cluster.Should().Be($"outbound|9080|v2|{Reviews}");

            var rest = reviews.Routes[1].Route_;
            rest.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight)).Should().Equal(($"outbound|9080|v1|{Reviews}", 90u), ($"outbound|9080|v2|{Reviews}", 10u));
            rest.MaxStreamDuration.MaxStreamDuration_.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(5));
            rest.MaxStreamDuration.GrpcTimeoutHeaderMax.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(5));
            rest.RetryPolicy.Should().BeNull("5xx is no gRPC status the client could retry on");
        }
    }

    /// <summary>Route <paramref name="name"/> as a sidecar (or a proxyless client with <paramref name="generator"/> "grpc") in <paramref name="ns"/> gets it over ADS.</summary>
    private static async Task<RouteConfiguration> RoutesAsync(GrpcChannel channel, string ns, string name = "9080", string? generator = null)
    {
        using var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources();
        var node = new Node { Id = $"sidecar~10.244.99.1~client.{ns}~{ns}.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        if (generator is not null)
        {
            node.Metadata.Fields["GENERATOR"] = Value.ForString(generator);
        }

        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = node, TypeUrl = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", ResourceNames = { name } });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        (await call.ResponseStream.MoveNext(deadline.Token)).Should().BeTrue();
        var routes = call.ResponseStream.Current.Resources.Single().Unpack<RouteConfiguration>();
        await call.RequestStream.CompleteAsync();
        return routes;
    }
}
