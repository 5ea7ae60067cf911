using ControlPlane.EndToEnd.Tests.Infrastructure;
using ControlPlane.Readme.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Xunit.Abstractions;

namespace ControlPlane.Readme.Tests;

/// <summary>
/// The README's InterfaceOutlierDetection, added to the example mesh of the real xds-server: the interface
/// cluster (the host's cluster with the same endpoints and its own outlier detection) and the route before
/// the default one that sends the interface's requests there, as the README says a sidecar gets them.
/// </summary>
public sealed class InterfaceOutlierDetectionSnippetTests(ITestOutputHelper output)
{
    private const string Ratings = "outbound|9080||ratings.bookinfo.svc.cluster.local";
    private const string Rate = Ratings + "|interface-rate";
    private const string RouteType = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

    [Fact]
    public async Task The_interface_outlier_detection_example_gives_sidecars_the_interface_cluster_and_route_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("kind: InterfaceOutlierDetection", StringComparison.Ordinal));
        var readme = await File.ReadAllTextAsync(ReadmeFile.Path);
        readme.Should().Contain($"`{Rate}`").And.Contain("after 3 consecutive 5xx,\nchecked every 10 s, for 30 s at first")
            .And.Contain("in route `9080`, before the virtual host's default\nroute, a route that sends `POST /ratings/…` there", "the test checks what this text says");

        using var work = ExampleMeshDirectory.With(("interfaceoutlierdetection.yaml", snippet.Text));
        await using var server = ControlPlaneProcess.Start("xds-server", ["--config-dir", work.Path, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
        await server.WaitReadyAsync();
        var port = await server.PortOfAsync("grpc");

        // "every sidecar that sees ratings": one in bookinfo, one elsewhere.
        foreach (var ns in new[] { "bookinfo", "data" })
        {
            var clusters = (await Eventually.Until(
                () => XdsProbe.FetchAsync<Cluster>(port, ns, XdsProbe.Cluster),
                found => found.Any(c => c.Name == Rate),
                "the interface cluster")).ToDictionary(c => c.Name);
            var rate = clusters[Rate];
            rate.OutlierDetection.Consecutive5Xx.Should().Be(3u);
            rate.OutlierDetection.Interval.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(10));
            rate.OutlierDetection.BaseEjectionTime.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(30));
            rate.EdsClusterConfig.ServiceName.Should().Be(Rate, "an assignment under its own name");
            clusters[Ratings].OutlierDetection.Should().BeNull("the host's own cluster ejects nothing");
            var copy = rate.Clone();
            copy.Name = Ratings;
            copy.EdsClusterConfig.ServiceName = Ratings;
            copy.OutlierDetection = clusters[Ratings].OutlierDetection;
            copy.CommonLbConfig = clusters[Ratings].CommonLbConfig;
            copy.Should().Be(clusters[Ratings], "a copy of the host's cluster but for its outlier detection");

            var assignments = await XdsProbe.FetchAsync<ClusterLoadAssignment>(port, ns, XdsProbe.Endpoint, Ratings, Rate);
            Addresses(assignments, Rate).Should().Equal(Addresses(assignments, Ratings)).And.Equal("10.244.1.14");

            var routes = (await XdsProbe.FetchAsync<RouteConfiguration>(port, ns, RouteType, "9080")).Single();
            var host = routes.VirtualHosts.Single(h => h.Name == "ratings.bookinfo.svc.cluster.local:9080");
            host.Routes.Should().HaveCount(2);
            var post = host.Routes[0];
            post.Match.Prefix.Should().Be("/ratings/");
#pragma warning disable CS0612, CS0618 // the matcher field istiod 1.10 writes
            post.Match.Headers.Should().ContainSingle().Which.Should().Match<HeaderMatcher>(h => h.Name == ":method" && h.ExactMatch == "POST");
#pragma warning restore CS0612, CS0618
            post.Route_.Cluster.Should().Be(Rate);
            host.Routes[1].Name.Should().Be("default");
            host.Routes[1].Route_.Cluster.Should().Be(Ratings, "every other request still reaches every endpoint");
            routes.VirtualHosts.Single(h => h.Name == "reviews.bookinfo.svc.cluster.local:9080").Routes.Single().Name
                .Should().Be("default", "other services keep their default route");
        }
    }

    private static List<string> Addresses(IEnumerable<ClusterLoadAssignment> assignments, string cluster) =>
        assignments.Single(a => a.ClusterName == cluster).Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => e.Endpoint.Address.SocketAddress.Address).Order(StringComparer.Ordinal).ToList();
}
