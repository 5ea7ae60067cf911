using ControlPlane.EndToEnd.Tests.Infrastructure;
using ControlPlane.Readme.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Xunit.Abstractions;

namespace ControlPlane.Readme.Tests;

/// <summary>
/// The README's DestinationRule, served by the real xds-server with the example mesh: the clusters,
/// policies and subset endpoints the README says a sidecar in bookinfo gets.
/// </summary>
public sealed class DestinationRuleSnippetTests(ITestOutputHelper output)
{
    private const string Reviews = "reviews.bookinfo.svc.cluster.local";

    [Fact]
    public async Task The_destination_rule_example_gives_sidecars_the_subset_clusters_and_endpoints_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("kind: DestinationRule", StringComparison.Ordinal));
        using var work = ExampleMeshDirectory.With(("destinationrule.yaml", snippet.Text));
        await using var server = ControlPlaneProcess.Start("xds-server", ["--config-dir", work.Path, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
        await server.WaitReadyAsync();
        var port = await server.PortOfAsync("grpc");

        var clusters = await Eventually.Until(
            () => XdsProbe.FetchAsync<Cluster>(port, "bookinfo", XdsProbe.Cluster),
            found => found.Any(c => c.Name == $"outbound|9080|v2|{Reviews}"),
            "the subset clusters");
        var byName = clusters.ToDictionary(c => c.Name);
        foreach (var name in new[] { $"outbound|9080||{Reviews}", $"outbound|9080|v1|{Reviews}", $"outbound|9080|v2|{Reviews}" })
        {
            byName[name].LbPolicy.Should().Be(Cluster.Types.LbPolicy.LeastRequest, name);
            byName[name].OutlierDetection.Consecutive5Xx.Should().Be(5u, name);
            byName[name].OutlierDetection.Interval.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(10), name);
            byName[name].OutlierDetection.BaseEjectionTime.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(30), name);
            byName[name].EdsClusterConfig.ServiceName.Should().Be(name, "each subset has its own assignment");
        }

        byName[$"outbound|9080|v2|{Reviews}"].CircuitBreakers.Thresholds.Single().MaxRequests.Should().Be(100u);
        byName[$"outbound|9080|v1|{Reviews}"].CircuitBreakers.Thresholds.Single().MaxRequests.Should().Be(uint.MaxValue);

        var assignments = await XdsProbe.FetchAsync<ClusterLoadAssignment>(port, "bookinfo", XdsProbe.Endpoint, $"outbound|9080|v1|{Reviews}", $"outbound|9080|v2|{Reviews}");
        Addresses(assignments, $"outbound|9080|v1|{Reviews}").Should().Equal("10.244.1.11");
        Addresses(assignments, $"outbound|9080|v2|{Reviews}").Should().Equal("10.244.2.12");
    }

    private static List<string> Addresses(IEnumerable<ClusterLoadAssignment> assignments, string cluster) =>
        assignments.Single(a => a.ClusterName == cluster).Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => e.Endpoint.Address.SocketAddress.Address).Order(StringComparer.Ordinal).ToList();
}
