using ControlPlane.Tests.Shared;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>
/// The ServiceEntry and WorkloadEntry examples, served with the example mesh as their comments say:
/// the external ratings API reached by SNI, the details VM an endpoint of the details Service and a
/// sidecar with details' inbound port.
/// </summary>
public sealed class ServedExamplesTests
{
    private const string DetailsCluster = "outbound|9080||details.bookinfo.svc.cluster.local";
    private const string RatingsApiCluster = "outbound|443||api.ratings.example.com";

    [Fact]
    public async Task The_service_entry_and_workload_entry_examples_are_served_with_the_example_mesh()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "examples", "mesh"), "*.yaml")
            .Concat(new[] { "serviceentry-ratings-api.yaml", "workloadentry-details-vm.yaml" }.Select(f => Path.Combine(RepositoryRoot.Path, "examples", "istio", f)))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        await using var server = await XdsServerInstance.StartAsync(files);
        await using var productpage = new SotwClient(server.Channel, TestNodes.Sidecar("productpage-v1-7d8f9c-x1", "bookinfo", "10.244.1.10"));

        var clusters = (await productpage.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>()).ToDictionary(c => c.Name);
        clusters[RatingsApiCluster].Type.Should().Be(Cluster.Types.DiscoveryType.StrictDns);
        clusters[RatingsApiCluster].LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.Address.Should().Be("api.ratings.example.com");
        var listeners = (await productpage.RequestAsync(TypeUrls.Listener)).Resources.Select(r => r.Unpack<Listener>()).ToDictionary(l => l.Name);
        listeners["0.0.0.0_443"].FilterChains.Single().FilterChainMatch.ServerNames.Should().Equal("api.ratings.example.com");
        var details = (await productpage.RequestAsync(TypeUrls.Endpoint, [DetailsCluster])).Resources.Single().Unpack<ClusterLoadAssignment>();
        details.Endpoints.Select(l => (l.Locality.Region, l.Locality.Zone, l.LoadBalancingWeight, l.LbEndpoints.Single().Endpoint.Address.SocketAddress.Address))
            .Should().Equal(("", "zone-a", 1u, "10.244.1.15"), ("us-east1", "us-east1-b", 2u, "10.0.12.7"));

        await using var vm = new SotwClient(server.Channel, TestNodes.Sidecar("details-vm-1", "bookinfo", "10.0.12.7"));
        var inbound = (await vm.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name);
        inbound.Should().Contain("inbound|9080||");

        await using var elsewhere = new SotwClient(server.Channel, TestNodes.Sidecar("mysql-0", "data", "10.244.3.20"));
        (await elsewhere.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).Should().NotContain(RatingsApiCluster, "it is exported to bookinfo only");
    }
}
