using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>Subset clusters over real ADS: a sidecar subscribes to their assignments, and Pod label changes reach it as EDS only.</summary>
public sealed class DestinationRuleDeliveryTests : IAsyncLifetime
{
    private const string V1 = "outbound|9080|v1|reviews.default.svc.cluster.local";
    private const string V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";

    private XdsServerInstance _server = null!;

    public async Task InitializeAsync()
    {
        _server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["mesh.yaml"] = Mesh(secondPodVersion: "v2") });
        await Eventually.Until(() => _server.Cache.Current.Mesh.Pods.Count == 2, "the mesh to load");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_sidecar_gets_subset_clusters_when_a_rule_appears_and_their_assignments_hold_the_endpoints_of_their_pods()
    {
        await using var proxy = new SotwClient(_server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        var builtBefore = _server.Stats.ResourcesBuilt;

        await _server.WriteConfigAsync("rule.yaml", Rule);
        var clusters = await proxy.UntilAsync(
            TypeUrls.Cluster, r => Names(r).Contains(V1), new Dictionary<string, IReadOnlyList<string>>(), "the subset clusters");

        var edsNames = clusters.Resources.Select(r => r.Unpack<Cluster>()).Where(c => c.Type == Cluster.Types.DiscoveryType.Eds).Select(c => c.EdsClusterConfig.ServiceName).ToList();
        edsNames.Should().Contain([V1, V2, "outbound|9080||reviews.default.svc.cluster.local"]);
        var endpoints = await proxy.RequestAsync(TypeUrls.Endpoint, edsNames);

        Addresses(endpoints, V1).Should().Equal("10.1.0.1");
        Addresses(endpoints, V2).Should().Equal("10.1.0.2");
        Addresses(endpoints, "outbound|9080||reviews.default.svc.cluster.local").Should().Equal("10.1.0.1", "10.1.0.2");
        // reviews' three clusters and the two subsets' assignments; ratings, the listeners and routes are not rebuilt.
        (_server.Stats.ResourcesBuilt - builtBefore).Should().Be(5);
    }

    [Fact]
    public async Task A_pod_label_change_moves_its_endpoint_between_subsets_with_an_eds_push_only()
    {
        await _server.WriteConfigAsync("rule.yaml", Rule);
        await Eventually.Until(() => _server.Cache.Current.Mesh.DestinationRules.Count == 1, "the rule to load");
        await using var proxy = new SotwClient(_server.Channel, TestNodes.Sidecar());
        var clusters = await proxy.RequestAsync(TypeUrls.Cluster);
        await proxy.AckAsync(clusters);
        var edsNames = clusters.Resources.Select(r => r.Unpack<Cluster>()).Where(c => c.Type == Cluster.Types.DiscoveryType.Eds).Select(c => c.Name).ToList();
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Endpoint, edsNames), edsNames);

        await _server.WriteConfigAsync("mesh.yaml", Mesh(secondPodVersion: "v1"));
        var pushed = await proxy.NextAsync();

        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint, "a Pod's labels change endpoints, not clusters");
        Addresses(pushed, V1).Should().Equal("10.1.0.1", "10.1.0.2");
        Addresses(pushed, V2).Should().BeEmpty();
        await proxy.AckAsync(pushed, edsNames);
        await proxy.ExpectNothingPendingAsync("no CDS follows an endpoint-only change");
    }

    private const string Rule = """
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    private static string Mesh(string secondPodVersion) => Manifests.Join(
        Manifests.Service("reviews", "default", "10.96.0.10", 9080),
        Manifests.Service("ratings", "default", "10.96.0.11", 9080),
        Manifests.EndpointSlice("ratings", "default", 9080, "http", "10.1.0.3"),
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: reviews-slice, namespace: default, labels: {kubernetes.io/service-name: reviews}}
        addressType: IPv4
        ports: [{name: http, port: 9080}]
        endpoints:
        - {addresses: ["10.1.0.1"], conditions: {ready: true}, targetRef: {kind: Pod, name: reviews-a, namespace: default}}
        - {addresses: ["10.1.0.2"], conditions: {ready: true}, targetRef: {kind: Pod, name: reviews-b, namespace: default}}
        """,
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: reviews-a, namespace: default, labels: {app: reviews, version: v1}}
        """,
        $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: reviews-b, namespace: default, labels: {app: reviews, version: {{{secondPodVersion}}}}}
        """);

    private static HashSet<string> Names(DiscoveryResponse response) => response.Resources.Select(r => r.Unpack<Cluster>().Name).ToHashSet();

    private static List<string> Addresses(DiscoveryResponse response, string cluster) =>
        response.Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).Single(a => a.ClusterName == cluster).Endpoints
            .SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address).Order(StringComparer.Ordinal).ToList();
}
