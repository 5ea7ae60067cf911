using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// Proxyless gRPC generation stays memoized by the identity of its inputs: a VirtualService change
/// rebuilds the route configurations of its host's ports only, a DestinationRule change its host's
/// clusters only, an endpoint change no route, listener or cluster; gRPC clients share views with
/// one another as long as sourceLabels do not tell them apart.
/// </summary>
public sealed class ProxylessGrpcIncrementalTests
{
    private static readonly ProxyView InDefault = new(ProxyKind.Grpc, "default", []);
    private static readonly ProxyView InOther = new(ProxyKind.Grpc, "other", []);

    [Fact]
    public void A_change_to_one_virtual_service_rebuilds_only_the_route_configurations_of_its_host()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = new[] { generator.Generate(mesh.Current, InDefault), generator.Generate(mesh.Current, InOther) };
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(Mesh(reviewsSubset: "v2"));
        var after = new[] { generator.Generate(mesh.Current, InDefault), generator.Generate(mesh.Current, InOther) };

        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(2, "reviews:9080's route configuration, once per namespace's view; no listener, cluster or other route");
        for (var i = 0; i < 2; i++)
        {
            Route(after[i], "reviews.default.svc.cluster.local:9080").Route_.Cluster.Should().Be("outbound|9080|v2|reviews.default.svc.cluster.local");
            after[i].Routes.Find("reviews.default.svc.cluster.local:9080").Should().NotBeSameAs(before[i].Routes.Find("reviews.default.svc.cluster.local:9080"));
            after[i].Routes.Find("details.default.svc.cluster.local:8000").Should().BeSameAs(before[i].Routes.Find("details.default.svc.cluster.local:8000"));
            after[i].Routes.Find("ratings.default.svc.cluster.local:9080").Should().BeSameAs(before[i].Routes.Find("ratings.default.svc.cluster.local:9080"));
            after[i].Listeners.ShouldHoldTheSameInstancesAs(before[i].Listeners);
            after[i].Clusters.ShouldHoldTheSameInstancesAs(before[i].Clusters);
        }
    }

    [Fact]
    public void A_change_to_one_destination_rule_rebuilds_only_the_clusters_of_its_host()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = generator.Generate(mesh.Current, InDefault);
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(Mesh(reviewsSubset: "v1", reviewsLb: "LEAST_CONN"));
        var after = generator.Generate(mesh.Current, InDefault);

        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(3, "reviews' default, v1 and v2 clusters; no route (hash policies unchanged), listener or other cluster");
        after.Clusters.Find("outbound|9080|v1|reviews.default.svc.cluster.local").Should().NotBeSameAs(before.Clusters.Find("outbound|9080|v1|reviews.default.svc.cluster.local"));
        after.Clusters.Find("outbound|9080|v1|reviews.default.svc.cluster.local")!.Body.Unpack<Cluster>().LbPolicy
            .Should().Be(Cluster.Types.LbPolicy.RoundRobin, "the client has no least-request balancer, and refuses a cluster asking for one");
        after.Clusters.Find("outbound|8000||details.default.svc.cluster.local").Should().BeSameAs(before.Clusters.Find("outbound|8000||details.default.svc.cluster.local"));
        after.Routes.ShouldHoldTheSameInstancesAs(before.Routes);
        after.Listeners.ShouldHoldTheSameInstancesAs(before.Listeners);
    }

    [Fact]
    public void An_endpoint_change_rebuilds_no_route_listener_or_cluster()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = generator.Generate(mesh.Current, InDefault);

        mesh.Set(Mesh(reviewsSubset: "v1", reviewsEndpoint: "10.1.0.9"));
        var reused = generator.Generate(mesh.Current, InDefault, previous: before);
        var built = generator.Stats.ResourcesBuilt;
        var full = generator.Generate(mesh.Current, InDefault);

        reused.Routes.Should().BeSameAs(before.Routes);
        reused.Listeners.Should().BeSameAs(before.Listeners);
        reused.Clusters.Should().BeSameAs(before.Clusters);
        reused.Endpoints.Find("outbound|9080||reviews.default.svc.cluster.local").Should().NotBeSameAs(before.Endpoints.Find("outbound|9080||reviews.default.svc.cluster.local"));
        generator.Stats.ResourcesBuilt.Should().Be(built, "even a full generation finds every resource memoized");
        full.Routes.ShouldHoldTheSameInstancesAs(before.Routes);
        full.Listeners.ShouldHoldTheSameInstancesAs(before.Listeners);
        full.Clusters.ShouldHoldTheSameInstancesAs(before.Clusters);
    }

    [Fact]
    public void Proxyless_clients_share_a_view_unless_source_labels_tell_them_apart()
    {
        var mesh = IndexMesh.Of([.. Mesh(reviewsSubset: "v1"), IndexMesh.IstioObject("VirtualService", "default", "by-source", """
              hosts: [ratings]
              http:
              - match:
                - sourceLabels: {app: batch}
                route:
                - destination: {host: ratings, subset: batch}
              - route:
                - destination: {host: ratings}
            """)]);
        var web = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "web", ip: "10.0.1.1", generator: "grpc"), ("app", "web"))), mesh);
        var api = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "api", ip: "10.0.1.2", generator: "grpc"), ("app", "api"))), mesh);
        var batch = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "batch", ip: "10.0.1.3", generator: "grpc"), ("app", "batch"))), mesh);

        api.Should().Be(web);
        batch.Should().NotBe(web);

        var generator = new ConfigGenerator();
        Route(generator.Generate(mesh, batch), "ratings.default.svc.cluster.local:9080").Route_.Cluster.Should().Be("outbound|9080|batch|ratings.default.svc.cluster.local");
        Route(generator.Generate(mesh, web), "ratings.default.svc.cluster.local:9080").Route_.Cluster.Should().Be("outbound|9080||ratings.default.svc.cluster.local");
    }

    private static string[] Mesh(string reviewsSubset, string reviewsLb = "RANDOM", string reviewsEndpoint = "10.1.0.1") =>
    [
        Manifests.Service("reviews", "default", "10.96.0.10", 9080, "grpc"),
        Manifests.EndpointSlice("reviews", "default", 9080, "grpc", reviewsEndpoint),
        Manifests.Service("ratings", "default", "10.96.0.11", 9080, "grpc"),
        Manifests.Service("details", "default", "10.96.0.12", 8000, "grpc"),
        IndexMesh.IstioObject("VirtualService", "default", "reviews", $$"""
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: {{reviewsSubset}}}
            """),
        IndexMesh.IstioObject("VirtualService", "default", "details", """
              hosts: [details]
              http:
              - timeout: 3s
                route:
                - destination: {host: details}
            """),
        IndexMesh.IstioObject("DestinationRule", "default", "reviews", $$"""
              host: reviews
              trafficPolicy:
                loadBalancer: {simple: {{reviewsLb}}}
              subsets:
              - name: v1
                labels: {version: v1}
              - name: v2
                labels: {version: v2}
            """),
    ];

    private static Route Route(ProxyConfig config, string routeName) =>
        config.Routes.Find(routeName)!.Body.Unpack<RouteConfiguration>().VirtualHosts.Single().Routes[0];
}
