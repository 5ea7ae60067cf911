using ControlPlane.EnvoyApi;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// DestinationRule translation is incremental: a rule change rebuilds the clusters of its host only,
/// an endpoint or Pod label change rebuilds assignments only, and views share what they can.
/// </summary>
public sealed class DestinationRuleGenerationTests
{
    private static readonly ProxyView Client = new(ProxyKind.Sidecar, "default", []);

    [Fact]
    public void A_rule_change_rebuilds_only_the_clusters_of_its_host()
    {
        var store = Store(Services("reviews", "ratings", "details"), Rule("reviews", "RANDOM"), Rule("ratings", "RANDOM"));
        var generator = new ConfigGenerator();
        var before = generator.Generate(store.Current, Client);
        var built = generator.Stats.ResourcesBuilt;

        store.Replace("rule-reviews", Objects(Rule("reviews", "LEAST_CONN")));
        var after = generator.Generate(store.Current, Client);

        // reviews' default cluster and its subset v1's: no other cluster, no assignment (same endpoints and subset labels), listener or route.
        (generator.Stats.ResourcesBuilt - built).Should().Be(2);
        after.Clusters.Find(Cluster("reviews", "v1"))!.Body.Unpack<Envoy.Config.Cluster.V3.Cluster>().LbPolicy.Should().Be(Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.LeastRequest);
        after.Clusters.Find(Cluster("ratings", "v1")).Should().BeSameAs(before.Clusters.Find(Cluster("ratings", "v1")));
        after.Clusters.Find(Cluster("details")).Should().BeSameAs(before.Clusters.Find(Cluster("details")));
        after.Endpoints.Find(Cluster("reviews", "v1")).Should().BeSameAs(before.Endpoints.Find(Cluster("reviews", "v1")));
        after.Listeners.Resources.Values.Should().Equal(before.Listeners.Resources.Values, (a, b) => ReferenceEquals(a, b));
        after.Routes.Resources.Values.Should().Equal(before.Routes.Resources.Values, (a, b) => ReferenceEquals(a, b));
    }

    [Fact]
    public void A_new_subset_builds_its_cluster_and_assignment_only()
    {
        var store = Store(Services("reviews", "ratings"), Rule("reviews", "RANDOM"));
        var generator = new ConfigGenerator();
        generator.Generate(store.Current, Client);
        var built = generator.Stats.ResourcesBuilt;

        store.Replace("rule-reviews", Objects(Rule("reviews", "RANDOM", "v1", "v2")));
        var after = generator.Generate(store.Current, Client);

        // The rule's instance changed, so reviews' clusters are rebuilt (default, v1, v2); of assignments only v2's is new.
        (generator.Stats.ResourcesBuilt - built).Should().Be(4);
        Addresses(after, Cluster("reviews", "v2")).Should().Equal("10.1.1.2");
    }

    [Fact]
    public void An_endpoint_change_keeps_clusters_and_rebuilds_the_assignments_of_its_service_only()
    {
        var store = Store(Services("reviews", "ratings"), Rule("reviews", "RANDOM", "v1", "v2"), Rule("ratings", "RANDOM", "v1"));
        var changes = new List<MeshChange>();
        store.Subscribe((_, change) => changes.Add(change));
        var generator = new ConfigGenerator();
        var before = generator.Generate(store.Current, Client);
        var built = generator.Stats.ResourcesBuilt;

        store.Replace("services", Objects(Services("reviews", "ratings", extraReviewsPod: true)));
        changes.Should().ContainSingle().Which.IsEndpointOnly.Should().BeTrue();
        var after = generator.Generate(store.Current, Client, previous: before);

        after.Clusters.Should().BeSameAs(before.Clusters);
        // reviews' three assignments (default, v1, v2); ratings' are kept.
        (generator.Stats.ResourcesBuilt - built).Should().Be(3);
        Addresses(after, Cluster("reviews")).Should().Equal("10.1.1.1", "10.1.1.2", "10.1.1.9");
        Addresses(after, Cluster("reviews", "v1")).Should().Equal("10.1.1.1", "10.1.1.9");
        after.Endpoints.Find(Cluster("ratings", "v1")).Should().BeSameAs(before.Endpoints.Find(Cluster("ratings", "v1")));
    }

    [Fact]
    public void A_pod_label_change_moves_its_endpoint_between_subsets_as_an_endpoint_only_change()
    {
        var store = Store(Services("reviews"), Rule("reviews", "RANDOM", "v1", "v2"));
        var changes = new List<MeshChange>();
        store.Subscribe((_, change) => changes.Add(change));
        var generator = new ConfigGenerator();
        var before = generator.Generate(store.Current, Client);
        Addresses(before, Cluster("reviews", "v1")).Should().Equal("10.1.1.1");

        store.Replace("services", Objects(Services("reviews", relabelFirstReviewsPod: "v2")));
        changes.Should().ContainSingle().Which.IsEndpointOnly.Should().BeTrue("a Pod's labels choose subsets, not clusters");
        var after = generator.Generate(store.Current, Client, previous: before);

        after.Clusters.Should().BeSameAs(before.Clusters);
        Addresses(after, Cluster("reviews", "v1")).Should().BeEmpty();
        Addresses(after, Cluster("reviews", "v2")).Should().Equal("10.1.1.1", "10.1.1.2");
    }

    [Fact]
    public void Namespaces_that_see_the_same_rule_share_its_clusters_and_those_that_see_none_get_none()
    {
        var store = Store(Services("reviews"), Rule("reviews", "RANDOM", "v1"));
        var generator = new ConfigGenerator();

        var own = generator.Generate(store.Current, Client);
        var other = generator.Generate(store.Current, Client with { Namespace = "web" });
        var hidden = generator.Generate(store.Current, Client with { Namespace = "admin" });

        other.Clusters.Find(Cluster("reviews", "v1")).Should().BeSameAs(own.Clusters.Find(Cluster("reviews", "v1")), "the rule is exported to web: the same instance, built once");
        other.Endpoints.Find(Cluster("reviews", "v1")).Should().BeSameAs(own.Endpoints.Find(Cluster("reviews", "v1")));
        hidden.Clusters.Find(Cluster("reviews", "v1")).Should().BeNull("the rule is not exported to admin");
        hidden.Endpoints.Find(Cluster("reviews", "v1")).Should().BeNull();
        hidden.Clusters.Find(Cluster("reviews"))!.Body.Unpack<Envoy.Config.Cluster.V3.Cluster>().LbPolicy.Should().Be(Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RoundRobin);
    }

    [Fact]
    public void Proxies_share_a_view_whatever_their_locality_unless_a_rule_makes_it_matter()
    {
        var store = Store(Services("reviews"), Rule("reviews", "RANDOM", "v1"));
        var east = ProxyViews.For(Node("east", "region1", "zone1"), store.Current);
        var west = ProxyViews.For(Node("west", "region2", "zone1"), store.Current);
        east.Should().Be(west, "no rule has outlier detection or locality distribution");
        east.Locality.Should().BeNull();

        store.Replace("rule-ratings", Objects(OutlierRule("ratings")));
        var eastNow = ProxyViews.For(Node("east", "region1", "zone1"), store.Current);
        var westNow = ProxyViews.For(Node("west", "region2", "zone1"), store.Current);
        eastNow.Should().NotBe(westNow, "failover priorities are relative to the proxy's locality");
        eastNow.Locality.Should().Be(new LocalityLabel("region1", "zone1", null));
        ProxyViews.For(Node("mosn", "region1", "zone1", mosn: true), store.Current).Locality.Should().BeNull("MOSN reads no priorities or locality weights");
    }

    [Fact]
    public void Assignments_of_clusters_whose_rule_ignores_locality_are_shared_by_proxies_of_every_locality()
    {
        var store = Store(Services("reviews", "ratings"), Rule("reviews", "RANDOM", "v1"), OutlierRule("ratings"));
        var generator = new ConfigGenerator();
        var east = generator.Generate(store.Current, Client with { Locality = new LocalityLabel("region1", "zone1", null) });
        var built = generator.Stats.ResourcesBuilt;

        var west = generator.Generate(store.Current, Client with { Locality = new LocalityLabel("region2", "zone1", null) });

        west.Endpoints.Find(Cluster("reviews", "v1")).Should().BeSameAs(east.Endpoints.Find(Cluster("reviews", "v1")));
        west.Clusters.Find(Cluster("ratings")).Should().BeSameAs(east.Clusters.Find(Cluster("ratings")));
        // Only ratings' assignment, whose priorities follow the proxy's region.
        (generator.Stats.ResourcesBuilt - built).Should().Be(1);
    }

    private static string Cluster(string service, string subset = "") => $"outbound|9080|{subset}|{service}.default.svc.cluster.local";

    private static List<string> Addresses(ProxyConfig config, string cluster) =>
        config.Endpoints.Find(cluster)!.Body.Unpack<ClusterLoadAssignment>().Endpoints
            .SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address).Order(StringComparer.Ordinal).ToList();

    private static ProxyNode Node(string pod, string region, string zone, bool mosn = false)
    {
        var node = TestNodes.Sidecar(pod: pod, ip: "10.0.0.9");
        node.Locality = new Locality { Region = region, Zone = zone };
        if (mosn)
        {
            node.Metadata.Fields["PROXY_FLAVOR"] = Google.Protobuf.WellKnownTypes.Value.ForString("mosn");
        }

        return NodeParser.Parse(node);
    }

    /// <summary>Services with a v1 pod (10.1.1.1) and a v2 pod (10.1.1.2) each, on port 9080.</summary>
    private static string Services(string first, string? second = null, string? third = null, bool extraReviewsPod = false, string? relabelFirstReviewsPod = null)
    {
        var documents = new List<string>();
        var index = 0;
        foreach (var name in new[] { first, second, third }.OfType<string>())
        {
            index++;
            var pods = new List<(string Pod, string Ip, string Version)> { ($"{name}-a", $"10.1.{index}.1", "v1"), ($"{name}-b", $"10.1.{index}.2", "v2") };
            if (name == "reviews" && extraReviewsPod)
            {
                pods.Add(($"{name}-c", $"10.1.{index}.9", "v1"));
            }

            if (name == "reviews" && relabelFirstReviewsPod is { } version)
            {
                pods[0] = (pods[0].Pod, pods[0].Ip, version);
            }

            documents.Add(Manifests.Service(name, "default", $"10.96.0.{index}", 9080));
            documents.Add($"""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {"{"}name: {name}-slice, namespace: default, labels: {"{"}kubernetes.io/service-name: {name}{"}"}{"}"}
                addressType: IPv4
                ports: [{"{"}name: http, port: 9080{"}"}]
                endpoints:
                {string.Join('\n', pods.Select(p => $"- {{addresses: [\"{p.Ip}\"], conditions: {{ready: true}}, targetRef: {{kind: Pod, name: {p.Pod}, namespace: default}}}}"))}
                """);
            documents.AddRange(pods.Select(p => $"""
                apiVersion: v1
                kind: Pod
                metadata: {"{"}name: {p.Pod}, namespace: default, labels: {"{"}app: {name}, version: {p.Version}{"}"}{"}"}
                """));
        }

        return Manifests.Join(documents.ToArray());
    }

    /// <summary>A rule exported to default and web, with a load balancer and subsets by version.</summary>
    private static string Rule(string service, string simple, params string[] subsets)
    {
        var list = subsets.Length == 0 ? new[] { "v1" } : subsets;
        return $"""
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {"{"}name: {service}, namespace: default{"}"}
            spec:
              host: {service}
              exportTo: [".", web]
              trafficPolicy:
                loadBalancer: {"{"}simple: {simple}{"}"}
              subsets:
            {string.Join('\n', list.Select(s => $"  - {{name: {s}, labels: {{version: {s}}}}}"))}
            """;
    }

    private static string OutlierRule(string service) => $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {"{"}name: {service}, namespace: default{"}"}
        spec:
          host: {service}
          trafficPolicy:
            outlierDetection: {"{"}consecutive5xxErrors: 3{"}"}
        """;

    private static MeshObjectStore Store(string services, params string[] rules)
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        store.Replace("services", Objects(services));
        foreach (var rule in rules)
        {
            var name = Objects(rule).OfType<MeshDestinationRule>().Single().Key.Name;
            store.Replace($"rule-{name}", Objects(rule));
        }

        return store;
    }

    private static List<MeshObject> Objects(string yaml)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(yaml);
        errors.Should().BeEmpty();
        return objects;
    }
}
