using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// Generation stays incremental with VirtualServices: a change to one rebuilds the virtual hosts of
/// its hosts and the route configurations holding them (or, for TCP rules, its service's
/// listener), nothing else; an endpoint change rebuilds no route and no listener.
/// </summary>
public sealed class VirtualServiceIncrementalTests
{
    private static readonly ProxyView InDefault = new(ProxyKind.Sidecar, "default", []);
    private static readonly ProxyView InOther = new(ProxyKind.Sidecar, "other", []);

    [Fact]
    public void A_change_to_one_virtual_service_rebuilds_only_the_virtual_hosts_of_its_hosts()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = new[] { generator.Generate(mesh.Current, InDefault), generator.Generate(mesh.Current, InOther) };
        var hostsBefore = generator.Stats.VirtualHostsBuilt;
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(Mesh(reviewsSubset: "v2"));
        var after = new[] { generator.Generate(mesh.Current, InDefault), generator.Generate(mesh.Current, InOther) };

        (generator.Stats.VirtualHostsBuilt - hostsBefore).Should().Be(2, "reviews' virtual host, once per namespace's view");
        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(2, "route configuration 9080, once per view; no cluster, listener or other route");
        for (var i = 0; i < 2; i++)
        {
            Route(after[i], "9080", "reviews").Route_.Cluster.Should().Be("outbound|9080|v2|reviews.default.svc.cluster.local");
            after[i].Routes.Find("9080").Should().NotBeSameAs(before[i].Routes.Find("9080"));
            after[i].Routes.Find("8000").Should().BeSameAs(before[i].Routes.Find("8000"), "no host of the VirtualService is on port 8000");
            after[i].Listeners.ShouldHoldTheSameInstancesAs(before[i].Listeners);
            after[i].Clusters.ShouldHoldTheSameInstancesAs(before[i].Clusters);
        }
    }

    [Fact]
    public void A_service_added_on_another_port_assembles_no_virtual_host_list_of_the_others()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = generator.Generate(mesh.Current, InDefault);
        var assembled = generator.Stats.PortVirtualHostsAssembled;

        mesh.Set([.. Mesh(reviewsSubset: "v1"), Manifests.Service("search", "default", "10.96.0.40", 7000)]);
        var after = generator.Generate(mesh.Current, InDefault);

        (generator.Stats.PortVirtualHostsAssembled - assembled).Should().Be(1, "only port 7000's; 9080's and 8000's are as they were");
        after.Routes.Find("7000").Should().NotBeNull();
        after.Routes.Find("9080").Should().BeSameAs(before.Routes.Find("9080"));
        after.Routes.Find("8000").Should().BeSameAs(before.Routes.Find("8000"));
    }

    [Fact]
    public void A_change_to_tcp_rules_rebuilds_only_the_listener_of_their_service()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1", mysqlSubset: "primary"));
        var before = generator.Generate(mesh.Current, InDefault);
        var hostsBefore = generator.Stats.VirtualHostsBuilt;
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(Mesh(reviewsSubset: "v1", mysqlSubset: "replica"));
        var after = generator.Generate(mesh.Current, InDefault);

        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(1, "only the listener 10.96.0.30_3306");
        generator.Stats.VirtualHostsBuilt.Should().Be(hostsBefore);
        after.Listeners.Find("10.96.0.30_3306").Should().NotBeSameAs(before.Listeners.Find("10.96.0.30_3306"));
        after.Listeners.Find("0.0.0.0_9080").Should().BeSameAs(before.Listeners.Find("0.0.0.0_9080"));
        after.Routes.ShouldHoldTheSameInstancesAs(before.Routes);
    }

    [Fact]
    public void An_endpoint_change_rebuilds_no_route_and_no_listener()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(Mesh(reviewsSubset: "v1"));
        var before = generator.Generate(mesh.Current, InDefault);
        var hostsBefore = generator.Stats.VirtualHostsBuilt;

        mesh.Set(Mesh(reviewsSubset: "v1", reviewsEndpoint: "10.1.0.9"));
        var reused = generator.Generate(mesh.Current, InDefault, previous: before);
        var full = generator.Generate(mesh.Current, InDefault);

        reused.Routes.Should().BeSameAs(before.Routes);
        reused.Listeners.Should().BeSameAs(before.Listeners);
        generator.Stats.VirtualHostsBuilt.Should().Be(hostsBefore, "even a full generation finds every virtual host memoized");
        full.Routes.ShouldHoldTheSameInstancesAs(before.Routes);
        full.Listeners.ShouldHoldTheSameInstancesAs(before.Listeners);
    }

    [Fact]
    public void Proxies_whose_labels_no_source_labels_name_share_a_view()
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
        var web = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "web", ip: "10.0.1.1"), ("app", "web"), ("team", "a"))), mesh);
        var api = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "api", ip: "10.0.1.2"), ("app", "api"), ("team", "a"))), mesh);
        var batch = ProxyViews.For(NodeParser.Parse(TestNodes.Labelled(TestNodes.Sidecar(pod: "batch", ip: "10.0.1.3"), ("app", "batch"), ("team", "a"))), mesh);

        api.Should().Be(web);
        batch.Should().NotBe(web);
        batch.Labels.Should().Equal(new Dictionary<string, string> { ["app"] = "batch" });

        var generator = new ConfigGenerator();
        Route(generator.Generate(mesh, batch), "9080", "ratings").Route_.Cluster.Should().Be("outbound|9080|batch|ratings.default.svc.cluster.local");
        Route(generator.Generate(mesh, web), "9080", "ratings").Route_.Cluster.Should().Be("outbound|9080||ratings.default.svc.cluster.local");
    }

    private static string[] Mesh(string reviewsSubset, string mysqlSubset = "primary", string reviewsEndpoint = "10.1.0.1") =>
    [
        Manifests.Service("reviews", "default", "10.96.0.10", 9080),
        Manifests.EndpointSlice("reviews", "default", 9080, "http", reviewsEndpoint),
        Manifests.Service("ratings", "default", "10.96.0.11", 9080),
        Manifests.Service("details", "default", "10.96.0.12", 8000),
        Manifests.Service("mysql", "default", "10.96.0.30", 3306, portName: "tcp-db"),
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
        IndexMesh.IstioObject("VirtualService", "default", "mysql", $$"""
              hosts: [mysql]
              tcp:
              - route:
                - destination: {host: mysql, subset: {{mysqlSubset}}}
            """),
    ];

    private static Route Route(ProxyConfig config, string routeName, string service) =>
        config.Routes.Find(routeName)!.Body.Unpack<RouteConfiguration>().VirtualHosts
            .Single(h => h.Name.StartsWith($"{service}.", StringComparison.Ordinal)).Routes[0];
}
