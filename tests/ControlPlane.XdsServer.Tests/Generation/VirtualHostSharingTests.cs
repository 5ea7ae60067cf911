using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// Proxies in different namespaces share the routes and virtual hosts that do not depend on their
/// namespace: a virtual host is built once per distinct content (its domains, routes and data
/// plane), not once per namespace that sees it, while what does depend on the namespace (a
/// service's short names in its own namespace, a match's sourceNamespace) still differs.
/// </summary>
public sealed class VirtualHostSharingTests
{
    private static readonly string[] Mesh =
    [
        Manifests.Service("reviews", "shop", "10.96.0.10", 9080),
        Manifests.Service("ratings", "shop", "10.96.0.11", 9080),
        IndexMesh.IstioObject("VirtualService", "shop", "reviews", """
              hosts: [reviews]
              http:
              - match:
                - sourceNamespace: b
                route:
                - destination: {host: reviews, subset: v2}
              - route:
                - destination: {host: reviews, subset: v1}
            """),
    ];

    [Fact]
    public void Namespaces_that_see_the_same_virtual_host_share_one_build_of_it()
    {
        var mesh = IndexMesh.Of(Mesh);
        var generator = new ConfigGenerator();

        var a = generator.Generate(mesh, View("a"));
        var built = generator.Stats.VirtualHostsBuilt;
        var b = generator.Generate(mesh, View("b"));
        var afterB = generator.Stats.VirtualHostsBuilt;
        var c = generator.Generate(mesh, View("c"));
        var afterC = generator.Stats.VirtualHostsBuilt;
        var shop = generator.Generate(mesh, View("shop"));

        built.Should().Be(2, "reviews and ratings for namespace a");
        (afterB - built).Should().Be(1, "only reviews differs for b, whose sourceNamespace match selects it");
        (afterC - afterB).Should().Be(0, "namespace c sees exactly what a sees");
        (generator.Stats.VirtualHostsBuilt - afterC).Should().Be(2, "in their own namespace both services answer to short names too");

        Cluster(a, "reviews").Should().Be("outbound|9080|v1|reviews.shop.svc.cluster.local");
        Cluster(b, "reviews").Should().Be("outbound|9080|v2|reviews.shop.svc.cluster.local");
        Cluster(c, "reviews").Should().Be("outbound|9080|v1|reviews.shop.svc.cluster.local");
        Host(a, "ratings").Domains.Should().NotContain("ratings");
        Host(shop, "ratings").Domains.Should().Contain("ratings");
        Host(c, "ratings").Should().Be(Host(a, "ratings"));
    }

    private static ProxyView View(string ns) => new(ProxyKind.Sidecar, ns, []);

    private static VirtualHost Host(ProxyConfig config, string service) =>
        config.Routes.Find("9080")!.Body.Unpack<RouteConfiguration>().VirtualHosts
            .Single(h => h.Name.StartsWith($"{service}.", StringComparison.Ordinal));

    private static string Cluster(ProxyConfig config, string service) => Host(config, service).Routes[0].Route_.Cluster;
}
