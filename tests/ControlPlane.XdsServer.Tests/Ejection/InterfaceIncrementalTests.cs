using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// Generation stays incremental with InterfaceOutlierDetections: a change to one rebuilds the clusters of its
/// host and the virtual hosts whose routes send to it, nothing else (a new match alone keeps every cluster, so
/// only RDS is pushed); an endpoint change reaches the interface clusters' assignments through EDS alone.
/// </summary>
public sealed class InterfaceIncrementalTests
{
    private const string PayInterface = "outbound|8080||payments.shop.svc.cluster.local|interface-pay";
    private const string PostInterface = "outbound|8080||ledger.shop.svc.cluster.local|interface-post";
    private const string Payments = "outbound|8080||payments.shop.svc.cluster.local";
    private const string Reports = "outbound|8080||reports.shop.svc.cluster.local";

    private static readonly ProxyView View = new(ProxyKind.Sidecar, "shop", []);

    private static string Services(string payEndpoint = "10.1.0.1") => Manifests.Join(
        Manifests.Service("payments", "shop", "10.96.80.10", 8080),
        Manifests.EndpointSlice("payments", "shop", 8080, "http", payEndpoint),
        Manifests.Service("ledger", "shop", "10.96.80.11", 8080),
        Manifests.EndpointSlice("ledger", "shop", 8080, "http", "10.1.0.2"),
        Manifests.Service("reports", "shop", "10.96.80.12", 8080));

    private static string Policies(string payPath = "/pay", int payErrors = 3) => Manifests.Join(
        "apiVersion: mesh.controlplane.io/v1alpha1\nkind: InterfaceOutlierDetection\nmetadata: {name: payments, namespace: shop}\n" +
        $"spec:\n  host: payments\n  interfaces:\n  - {{name: pay, match: {{uri: {{exact: {payPath}}}}}, outlierDetection: {{consecutive5xxErrors: {payErrors}}}}}\n",
        "apiVersion: mesh.controlplane.io/v1alpha1\nkind: InterfaceOutlierDetection\nmetadata: {name: ledger, namespace: shop}\n" +
        "spec:\n  host: ledger\n  interfaces:\n  - {name: post, match: {method: {exact: POST}}, outlierDetection: {consecutive5xxErrors: 3}}\n");

    [Fact]
    public void A_new_match_rebuilds_only_its_hosts_virtual_host_and_keeps_every_cluster()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        var before = generator.Generate(mesh.Set(Services(), Policies()), View);
        var hostsBefore = generator.Stats.VirtualHostsBuilt;

        var after = generator.Generate(mesh.Set(Services(), Policies(payPath: "/pay/v2")), View);

        (generator.Stats.VirtualHostsBuilt - hostsBefore).Should().Be(1, "only payments' virtual host");
        after.Clusters.Should().BeSameAs(before.Clusters, "the interface's outlier settings did not change, only its match");
        after.Listeners.Should().BeSameAs(before.Listeners);
        var routes = after.Routes.Find("8080")!.Body.Unpack<RouteConfiguration>();
        routes.VirtualHosts.SelectMany(h => h.Routes).Should().Contain(r => r.Match.Path == "/pay/v2" && r.Route_.Cluster == PayInterface);
        after.Routes.Find("8080").Should().NotBeSameAs(before.Routes.Find("8080"));
    }

    [Fact]
    public void New_outlier_settings_rebuild_only_that_interfaces_cluster()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        var before = generator.Generate(mesh.Set(Services(), Policies()), View);

        var after = generator.Generate(mesh.Set(Services(), Policies(payErrors: 7)), View);

        after.Clusters.Find(PayInterface)!.Body.Unpack<Cluster>().OutlierDetection.Consecutive5Xx.Should().Be(7);
        foreach (var name in new[] { Payments, PostInterface, Reports })
        {
            after.Clusters.Find(name).Should().NotBeNull().And.BeSameAs(before.Clusters.Find(name), name);
        }
    }

    [Fact]
    public void For_proxyless_grpc_a_new_match_rebuilds_only_its_hosts_route_configuration()
    {
        var grpc = new ProxyView(ProxyKind.Grpc, "shop", []);
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        var before = generator.Generate(mesh.Set(Services(), Policies()), grpc);

        var after = generator.Generate(mesh.Set(Services(), Policies(payPath: "/pay/v2")), grpc);

        after.Routes.Find("payments.shop.svc.cluster.local:8080")!.Body.Unpack<RouteConfiguration>().VirtualHosts.Single().Routes
            .Should().Contain(r => r.Match.Path == "/pay/v2" && r.Route_.Cluster == PayInterface);
        after.Routes.Find("payments.shop.svc.cluster.local:8080").Should().NotBeSameAs(before.Routes.Find("payments.shop.svc.cluster.local:8080"));
        foreach (var name in new[] { "ledger.shop.svc.cluster.local:8080", "reports.shop.svc.cluster.local:8080" })
        {
            after.Routes.Find(name).Should().NotBeNull().And.BeSameAs(before.Routes.Find(name), name);
        }

        after.Clusters.Should().BeSameAs(before.Clusters);
        after.Listeners.Should().BeSameAs(before.Listeners);
    }

    [Fact]
    public void An_endpoint_change_reaches_the_interface_assignments_through_eds_alone()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        var before = generator.Generate(mesh.Set(Services(), Policies()), View);
        var hostsBefore = generator.Stats.VirtualHostsBuilt;

        mesh.Set(Services(payEndpoint: "10.1.0.9"), Policies());
        var reused = generator.Generate(mesh.Current, View, previous: before);

        reused.Clusters.Should().BeSameAs(before.Clusters);
        reused.Routes.Should().BeSameAs(before.Routes);
        generator.Stats.VirtualHostsBuilt.Should().Be(hostsBefore);
        foreach (var name in new[] { Payments, PayInterface })
        {
            Addresses(reused.Endpoints.Find(name)!.Body.Unpack<ClusterLoadAssignment>()).Should().Equal("10.1.0.9");
        }
    }

    [Fact]
    public void Namespaces_that_see_the_same_virtual_hosts_share_one_build_of_their_interface_routes()
    {
        var mesh = IndexMesh.Of(Services(), Policies());
        var generator = new ConfigGenerator();

        var billing = generator.Generate(mesh, new ProxyView(ProxyKind.Sidecar, "billing", []));
        var built = generator.Stats.VirtualHostsBuilt;
        var web = generator.Generate(mesh, new ProxyView(ProxyKind.Sidecar, "web", []));

        built.Should().Be(3, "payments, ledger and reports for billing");
        generator.Stats.VirtualHostsBuilt.Should().Be(built, "web sees exactly what billing sees, interface routes included");
        web.Routes.Find("8080")!.Body.Should().Be(billing.Routes.Find("8080")!.Body);
        web.Routes.Find("8080")!.Body.Unpack<RouteConfiguration>().VirtualHosts.SelectMany(h => h.Routes).Select(r => r.Route_.Cluster)
            .Should().Contain([PayInterface, PostInterface]);
    }

    [Fact]
    public async Task Over_ads_a_new_match_pushes_routes_only_and_an_endpoint_change_endpoints_only()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["mesh.yaml"] = Services(), ["interfaces.yaml"] = Policies() });
        await Eventually.Until(() => server.Cache.Current.Mesh.InterfaceOutlierDetections.Count == 2, "the mesh to load");
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar(ns: "shop"));
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
        await proxy.AckAsync(clusters);
        var edsNames = clusters.Resources.Select(r => r.Unpack<Cluster>()).Where(c => c.Type == Cluster.Types.DiscoveryType.Eds).Select(c => c.EdsClusterConfig.ServiceName).ToList();
        edsNames.Should().Contain(PayInterface);
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Endpoint, edsNames), edsNames);
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Route, ["8080"]), ["8080"]);

        await server.WriteConfigAsync("interfaces.yaml", Policies(payPath: "/pay/v2"));
        var routes = await proxy.NextAsync();

        routes.TypeUrl.Should().Be(TypeUrls.Route, "a new match changes routes, not clusters");
        routes.Resources.Single().Unpack<RouteConfiguration>().VirtualHosts.SelectMany(h => h.Routes).Should().Contain(r => r.Match.Path == "/pay/v2");
        await proxy.AckAsync(routes, ["8080"]);
        await proxy.ExpectNothingPendingAsync("nothing but routes changed");

        await server.WriteConfigAsync("mesh.yaml", Services(payEndpoint: "10.1.0.9"));
        var endpoints = await proxy.NextAsync();

        endpoints.TypeUrl.Should().Be(TypeUrls.Endpoint, "an endpoint change is pushed as EDS only");
        var assignments = endpoints.Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).ToDictionary(a => a.ClusterName);
        Addresses(assignments[Payments]).Should().Equal("10.1.0.9");
        Addresses(assignments[PayInterface]).Should().Equal("10.1.0.9");
        await proxy.AckAsync(endpoints, edsNames);
        await proxy.ExpectNothingPendingAsync("no CDS, LDS or RDS follows an endpoint-only change");
    }

    private static IEnumerable<string> Addresses(ClusterLoadAssignment assignment) =>
        assignment.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address);
}
