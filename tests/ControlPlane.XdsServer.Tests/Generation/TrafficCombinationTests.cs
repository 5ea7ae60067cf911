using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// VirtualServices, DestinationRules and ServiceEntries together stay incremental: a VirtualService
/// change rebuilds only its hosts' virtual hosts (ServiceEntry hosts too), a DestinationRule change
/// only its host's clusters (routes only when the hash policies it gives them change), a
/// WorkloadEntry relabelled moves between subsets with endpoints rebuilt only; and a proxy view
/// carries both the labels sourceLabels name and the locality rules make matter (a VM's from its
/// WorkloadEntry), no more.
/// </summary>
public sealed class TrafficCombinationTests
{
    private static readonly ProxyView Client = new(ProxyKind.Sidecar, "default", []);

    [Fact]
    public void A_virtual_service_change_on_a_service_entry_host_rebuilds_only_that_hosts_virtual_host()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(EntriesWithRoutes(paymentsSubset: "v1"));
        var before = generator.Generate(mesh.Current, Client);
        Route(before, "payments.example.com").Route_.Cluster.Should().Be("outbound|80|v1|payments.example.com");
        Route(before, "search.example.com").Route_.Cluster.Should().Be("outbound|80|v2|search.example.com");
        var hostsBefore = generator.Stats.VirtualHostsBuilt;
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(EntriesWithRoutes(paymentsSubset: "v2"));
        var after = generator.Generate(mesh.Current, Client);

        Route(after, "payments.example.com").Route_.Cluster.Should().Be("outbound|80|v2|payments.example.com");
        (generator.Stats.VirtualHostsBuilt - hostsBefore).Should().Be(1, "payments' virtual host only, not search's");
        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(1, "route configuration 80 only: no cluster, assignment or listener");
        after.Clusters.ShouldHoldTheSameInstancesAs(before.Clusters);
        after.Endpoints.ShouldHoldTheSameInstancesAs(before.Endpoints);
        after.Listeners.ShouldHoldTheSameInstancesAs(before.Listeners);
    }

    [Fact]
    public void A_rule_change_rebuilds_its_hosts_clusters_and_routes_only_when_their_hash_policies_change()
    {
        var mesh = new IndexMesh();
        var generator = new ConfigGenerator();
        mesh.Set(ReviewsWithRule("loadBalancer: {simple: RANDOM}"));
        var before = generator.Generate(mesh.Current, Client);
        var hostsBefore = generator.Stats.VirtualHostsBuilt;
        var resourcesBefore = generator.Stats.ResourcesBuilt;

        mesh.Set(ReviewsWithRule("loadBalancer: {simple: LEAST_CONN}"));
        var after = generator.Generate(mesh.Current, Client);

        (generator.Stats.ResourcesBuilt - resourcesBefore).Should().Be(3, "reviews' default, v1 and v2 clusters; no route, listener or assignment");
        generator.Stats.VirtualHostsBuilt.Should().Be(hostsBefore);
        after.Clusters.Find("outbound|9080|v1|reviews.default.svc.cluster.local")!.Body.Unpack<Envoy.Config.Cluster.V3.Cluster>().LbPolicy
            .Should().Be(Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.LeastRequest);
        after.Routes.ShouldHoldTheSameInstancesAs(before.Routes);
        after.Listeners.ShouldHoldTheSameInstancesAs(before.Listeners);
        after.Endpoints.ShouldHoldTheSameInstancesAs(before.Endpoints);
        after.Clusters.Find("outbound|9080||ratings.default.svc.cluster.local").Should().BeSameAs(before.Clusters.Find("outbound|9080||ratings.default.svc.cluster.local"));

        mesh.Set(ReviewsWithRule("loadBalancer: {consistentHash: {httpHeaderName: x-user}}"));
        var hashed = generator.Generate(mesh.Current, Client);

        // One hash policy per weighted destination, as istiod adds them.
        Route(hashed, "reviews.default.svc.cluster.local", "9080").Route_.HashPolicy.Select(h => h.Header.HeaderName).Should().Equal("x-user", "x-user");
        hashed.Routes.Find("9080").Should().NotBeSameAs(after.Routes.Find("9080"), "the hash policy the rule gives the route changed");
    }

    [Fact]
    public void A_workload_entry_relabelled_moves_between_subsets_with_endpoints_rebuilt_only()
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        var changes = new List<MeshChange>();
        store.Subscribe((_, change) => changes.Add(change));
        store.Replace("mesh", Objects(BillingOnVms(secondVersion: "v2")));
        var generator = new ConfigGenerator();
        var before = generator.Generate(store.Current, Client);
        Addresses(before, "outbound|8080|v1|billing.example.com").Should().Equal("10.128.0.11");
        Addresses(before, "outbound|8080|v2|billing.example.com").Should().Equal("10.128.0.12");
        changes.Clear();

        store.Replace("mesh", Objects(BillingOnVms(secondVersion: "v1")));
        changes.Should().ContainSingle().Which.IsEndpointOnly.Should().BeTrue("a selected WorkloadEntry of a STATIC entry is its endpoint");
        var after = generator.Generate(store.Current, Client, previous: before);

        after.Clusters.Should().BeSameAs(before.Clusters);
        after.Routes.Should().BeSameAs(before.Routes);
        Addresses(after, "outbound|8080|v1|billing.example.com").Should().Equal("10.128.0.11", "10.128.0.12");
        Addresses(after, "outbound|8080|v2|billing.example.com").Should().BeEmpty();
        Addresses(after, "outbound|8080||billing.example.com").Should().Equal("10.128.0.11", "10.128.0.12");
    }

    [Fact]
    public void A_view_carries_the_labels_source_labels_name_and_the_locality_rules_make_matter()
    {
        var mesh = IndexMesh.Of(
            Manifests.Service("ratings", "default", "10.96.0.11", 9080),
            IndexMesh.IstioObject("VirtualService", "default", "by-source", """
                  hosts: [ratings]
                  http:
                  - match:
                    - sourceLabels: {app: batch}
                    route:
                    - destination: {host: ratings, subset: batch}
                """),
            IndexMesh.IstioObject("DestinationRule", "default", "ratings", """
                  host: ratings
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 3}
                """));

        var web = ProxyViews.For(Node("web", "10.0.1.1", "region1", ("app", "web"), ("team", "a")), mesh);
        var api = ProxyViews.For(Node("api", "10.0.1.2", "region1", ("app", "api"), ("team", "b")), mesh);
        var batch = ProxyViews.For(Node("batch", "10.0.1.3", "region1", ("app", "batch")), mesh);
        var elsewhere = ProxyViews.For(Node("far", "10.0.1.4", "region2", ("app", "web")), mesh);

        api.Should().Be(web, "no sourceLabels names their labels, and they share a locality");
        batch.Labels.Should().Equal(new Dictionary<string, string> { ["app"] = "batch" });
        batch.Locality.Should().Be(new LocalityLabel("region1", null, null));
        batch.Should().NotBe(web);
        elsewhere.Should().NotBe(web, "failover priorities follow the proxy's region");
        elsewhere.Labels.Should().BeEmpty();
    }

    [Fact]
    public void A_vm_sidecar_takes_its_workload_entrys_locality_when_a_rule_makes_locality_matter()
    {
        var mesh = IndexMesh.Of(
            IndexMesh.IstioObject("ServiceEntry", "default", "billing", """
                  hosts: [billing.example.com]
                  addresses: [240.0.0.20]
                  ports: [{number: 8080, name: http, protocol: HTTP}]
                  resolution: STATIC
                  workloadSelector:
                    labels: {app: billing}
                """),
            IndexMesh.IstioObject("WorkloadEntry", "default", "billing-vm-1", """
                  address: 10.128.0.11
                  labels: {app: billing}
                  locality: us-central1/us-central1-a
                """),
            IndexMesh.IstioObject("DestinationRule", "default", "billing", """
                  host: billing.example.com
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 3}
                """));

        var vm = ProxyViews.For(Node("billing-vm-1", "10.128.0.11", region: null), mesh);
        var pod = ProxyViews.For(Node("web", "10.0.1.1", "region1"), mesh);

        vm.Locality.Should().Be(new LocalityLabel("us-central1", "us-central1-a", null), "istiod takes the locality of the proxy's service instance first");
        pod.Locality.Should().Be(new LocalityLabel("region1", null, null), "a proxy the registry has no locality for keeps its node's");
    }

    [Fact]
    public void Envoy_and_mosn_sidecars_keep_their_own_tcp_chains_for_entries_told_apart_by_sni()
    {
        var mesh = IndexMesh.Of(
            IndexMesh.IstioObject("ServiceEntry", "default", "legacy", """
                  hosts: [legacy.example.com]
                  ports: [{number: 443, name: tls, protocol: TLS}]
                  resolution: DNS
                """),
            IndexMesh.IstioObject("ServiceEntry", "default", "partner", """
                  hosts: [partner.example.com]
                  ports: [{number: 443, name: tls, protocol: TLS}]
                  resolution: DNS
                """, createdSecond: 1));
        var generator = new ConfigGenerator();

        var mosn = generator.Generate(mesh, Client with { Flavor = ProxyFlavor.Mosn });
        var envoy = generator.Generate(mesh, Client);

        ServerNames(envoy).Should().Equal("legacy.example.com", "partner.example.com");
        ServerNames(mosn).Should().Equal([""], "MOSN never evaluates a chain's match: it gets one chain without");
    }

    /// <summary>Each filter chain's server names, comma-separated ("" for a chain matching any).</summary>
    private static List<string> ServerNames(ProxyConfig config) =>
        config.Listeners.Find("0.0.0.0_443")!.Body.Unpack<Envoy.Config.Listener.V3.Listener>().FilterChains
            .Select(c => string.Join(',', c.FilterChainMatch?.ServerNames ?? [])).ToList();

    private static string[] EntriesWithRoutes(string paymentsSubset) =>
    [
        Entry("payments", "payments.example.com", "240.0.0.50", "10.10.0.1", "10.10.0.2"),
        Entry("search", "search.example.com", "240.0.0.51", "10.10.1.1", "10.10.1.2"),
        SubsetRule("payments", "payments.example.com"),
        SubsetRule("search", "search.example.com"),
        IndexMesh.IstioObject("VirtualService", "external", "payments", $$"""
              hosts: [payments.example.com]
              http:
              - route:
                - destination: {host: payments.example.com, subset: {{paymentsSubset}}}
            """, createdSecond: 5),
        IndexMesh.IstioObject("VirtualService", "external", "search", """
              hosts: [search.example.com]
              http:
              - route:
                - destination: {host: search.example.com, subset: v2}
            """, createdSecond: 6),
    ];

    /// <summary>A STATIC ServiceEntry on HTTP port 80 with a v1 and a v2 endpoint.</summary>
    private static string Entry(string name, string host, string address, string v1, string v2) => IndexMesh.IstioObject("ServiceEntry", "external", name, $$$"""
          hosts: [{{{host}}}]
          addresses: [{{{address}}}]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints:
          - {address: {{{v1}}}, labels: {version: v1}}
          - {address: {{{v2}}}, labels: {version: v2}}
        """);

    private static string SubsetRule(string name, string host) => IndexMesh.IstioObject("DestinationRule", "external", name, $$$"""
          host: {{{host}}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """, createdSecond: 3);

    private static string[] ReviewsWithRule(string trafficPolicy) =>
    [
        Manifests.Service("reviews", "default", "10.96.0.10", 9080),
        Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1"),
        Manifests.Service("ratings", "default", "10.96.0.11", 9080),
        IndexMesh.IstioObject("DestinationRule", "default", "reviews", $$$"""
              host: reviews
              trafficPolicy:
                {{{trafficPolicy}}}
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """),
        IndexMesh.IstioObject("VirtualService", "default", "reviews", """
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
                  weight: 70
                - destination: {host: reviews, subset: v2}
                  weight: 30
            """, createdSecond: 1),
    ];

    /// <summary>A STATIC ServiceEntry selecting two VMs (WorkloadEntries), subsets by version.</summary>
    private static string BillingOnVms(string secondVersion) => Manifests.Join(
        IndexMesh.IstioObject("ServiceEntry", "default", "billing", """
              hosts: [billing.example.com]
              addresses: [240.0.0.20]
              ports: [{number: 8080, name: http, protocol: HTTP}]
              resolution: STATIC
              workloadSelector:
                labels: {app: billing}
            """),
        IndexMesh.IstioObject("WorkloadEntry", "default", "billing-vm-1", """
              address: 10.128.0.11
              labels: {app: billing, version: v1}
            """),
        IndexMesh.IstioObject("WorkloadEntry", "default", "billing-vm-2", $$"""
              address: 10.128.0.12
              labels: {app: billing, version: {{secondVersion}}}
            """),
        IndexMesh.IstioObject("DestinationRule", "default", "billing", """
              host: billing.example.com
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """, createdSecond: 1));

    private static ProxyNode Node(string pod, string ip, string? region, params (string Key, string Value)[] labels)
    {
        var node = TestNodes.Sidecar(pod: pod, ip: ip);
        if (region is not null)
        {
            node.Locality = new Locality { Region = region };
        }

        var fields = new Google.Protobuf.WellKnownTypes.Struct();
        foreach (var (key, value) in labels)
        {
            fields.Fields[key] = Google.Protobuf.WellKnownTypes.Value.ForString(value);
        }

        node.Metadata.Fields["LABELS"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(fields);
        return NodeParser.Parse(node);
    }

    private static Route Route(ProxyConfig config, string host, string routeName = "80") =>
        config.Routes.Find(routeName)!.Body.Unpack<RouteConfiguration>().VirtualHosts
            .Single(h => h.Name == $"{host}:{routeName}").Routes[0];

    private static List<string> Addresses(ProxyConfig config, string cluster) =>
        config.Endpoints.Find(cluster)!.Body.Unpack<ClusterLoadAssignment>().Endpoints
            .SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address).Order(StringComparer.Ordinal).ToList();

    private static List<MeshObject> Objects(string yaml)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(yaml);
        errors.Should().BeEmpty();
        return objects;
    }
}
