using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>Headless services over the wire: per-pod listeners follow endpoint changes; XdsServerOptions.EnableEdsForHeadlessServices (--enable-eds-for-headless-services) reaches generation.</summary>
public sealed class HeadlessServiceTests
{
    private const string Name = "outbound|7000||store.default.svc.cluster.local";

    private static readonly Dictionary<string, string> Mesh = new()
    {
        ["store.yaml"] = Manifests.Join(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: store, namespace: default}
            spec:
              clusterIP: None
              ports:
              - {name: tcp-peer, port: 7000}
            """,
            Manifests.EndpointSlice("store", "default", 7000, "tcp-peer", "10.244.2.10", "10.244.2.11")),
    };

    [Fact]
    public async Task A_headless_service_is_original_destination_by_default()
    {
        await using var server = await XdsServerInstance.StartAsync(Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());

        var cluster = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>()).Single(c => c.Name == Name);

        cluster.Type.Should().Be(Cluster.Types.DiscoveryType.OriginalDst);
        cluster.LbPolicy.Should().Be(Cluster.Types.LbPolicy.ClusterProvided);
    }

    [Fact]
    public async Task A_new_pod_of_a_headless_service_gets_its_listener_pushed()
    {
        await using var server = await XdsServerInstance.StartAsync(Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        var listeners = await proxy.RequestAsync(TypeUrls.Listener);
        await proxy.AckAsync(listeners);

        await server.WriteConfigAsync("more.yaml", Manifests.EndpointSliceNamed("store-more", "store", "default", 7000, "tcp-peer", "10.244.2.12"));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Listener);
        pushed.Resources.Select(r => r.Unpack<Envoy.Config.Listener.V3.Listener>().Name).Should()
            .Contain(["10.244.2.10_7000", "10.244.2.11_7000", "10.244.2.12_7000"], "listeners depend on a headless service's endpoints");
    }

    [Fact]
    public async Task With_eds_for_headless_services_a_sidecar_balances_over_the_pods()
    {
        await using var server = await XdsServerInstance.StartAsync(Mesh, options => options.EnableEdsForHeadlessServices = true);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());

        var cluster = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>()).Single(c => c.Name == Name);
        var endpoints = (await proxy.RequestAsync(TypeUrls.Endpoint, [Name])).Resources.Single().Unpack<ClusterLoadAssignment>();

        cluster.Type.Should().Be(Cluster.Types.DiscoveryType.Eds);
        endpoints.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address).Should().Equal("10.244.2.10", "10.244.2.11");
    }
}
