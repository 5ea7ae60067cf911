using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class SharingTests : ProtocolTestBase
{
    [Fact]
    public async Task Proxies_with_the_same_view_cause_one_generation_per_change_and_get_the_same_bytes()
    {
        const int proxyCount = 8;
        var proxies = Enumerable.Range(0, proxyCount)
            .Select(i => new SotwClient(Server.Channel, TestNodes.Sidecar(pod: $"client-{i}", ip: $"10.9.0.{i + 1}")))
            .ToList();
        try
        {
            foreach (var proxy in proxies)
            {
                await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
            }

            var generationsBefore = Server.Stats.ViewsGenerated;
            await Server.WriteConfigAsync("extra.yaml", Manifests.Service("details", "default", "10.96.0.12", 9080));

            var pushes = new List<Envoy.Service.Discovery.V3.DiscoveryResponse>();
            foreach (var proxy in proxies)
            {
                var pushed = await proxy.NextAsync();
                pushed.TypeUrl.Should().Be(TypeUrls.Cluster);
                pushes.Add(pushed);
            }

            Server.Stats.ViewsGenerated.Should().Be(generationsBefore + 1, "all proxies share one view");
            pushes.Select(p => p.VersionInfo).Distinct().Should().ContainSingle();
            var details = pushes.Select(p => p.Resources.Single(r => r.Unpack<Cluster>().Name.Contains("details", StringComparison.Ordinal)).Value).ToList();
            details.Should().OnlyContain(bytes => bytes.Equals(details[0]), "identical views get identical bytes");
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_unchanged_service_is_not_rebuilt_when_another_changes()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        var builtBefore = Server.Stats.ResourcesBuilt;

        await Server.WriteConfigAsync("extra.yaml", Manifests.Service("details", "default", "10.96.0.12", 9080));
        await proxy.NextAsync();

        // The new service's cluster, its EDS assignment and the port's listener and route: not the others' clusters.
        (Server.Stats.ResourcesBuilt - builtBefore).Should().BeLessThanOrEqualTo(4);
    }
}
