using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>A VirtualService change, end to end: the proxies get new routes, and nothing else is rebuilt or sent.</summary>
public sealed class VirtualServicePushTests : ProtocolTestBase
{
    [Fact]
    public async Task A_virtual_service_change_pushes_only_the_routes_rebuilt_for_its_host()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        var routes = await proxy.RequestAsync(TypeUrls.Route, ["9080"]);
        await proxy.AckAsync(routes, ["9080"]);
        var hostsBefore = Server.Stats.VirtualHostsBuilt;

        await Server.WriteConfigAsync("vs.yaml", """
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v2}
            """);

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Route, "only routes depend on an HTTP VirtualService");
        var reviews = pushed.Resources.Single().Unpack<RouteConfiguration>().VirtualHosts.Single(h => h.Name == "reviews.default.svc.cluster.local:9080");
        reviews.Routes.Single().Route_.Cluster.Should().Be("outbound|9080|v2|reviews.default.svc.cluster.local");
        (Server.Stats.VirtualHostsBuilt - hostsBefore).Should().Be(1, "ratings' virtual host is reused");
        await proxy.AckAsync(pushed, ["9080"]);
        await proxy.ExpectNothingPendingAsync("clusters and listeners did not change");
    }
}
