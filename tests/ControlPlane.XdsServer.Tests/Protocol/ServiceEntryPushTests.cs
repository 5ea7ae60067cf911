using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>
/// ServiceEntries and WorkloadEntries keep generation incremental: a change to one entry rebuilds
/// only its hosts' resources, and a change of endpoints only EDS carries (a STATIC entry's inline
/// endpoints, a WorkloadEntry or Pod it selects) pushes EDS only, as istiod 1.10 does.
/// </summary>
public sealed class ServiceEntryPushTests
{
    private const string BillingCluster = "outbound|8080||billing.example.com";

    [Fact]
    public async Task A_service_entry_change_rebuilds_only_its_hosts()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = Manifests.Join(
                Manifests.Service("reviews", "default", "10.96.0.10", 9080),
                Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")),
            ["api.yaml"] = DnsEntry("api", "api.example.com", 443),
            ["billing.yaml"] = StaticEntry("10.128.0.1"),
        });
        var node = TestNodes.Sidecar();
        await using var proxy = new SotwClient(server.Channel, node);
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        var before = ClustersOf(server, node);
        var builtBefore = server.Stats.ResourcesBuilt;

        await server.WriteConfigAsync("api.yaml", DnsEntry("api", "api.example.com", 443, 8443));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Cluster);
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain("outbound|8443||api.example.com");
        var after = ClustersOf(server, node);
        after.Find(BillingCluster).Should().BeSameAs(before.Find(BillingCluster), "the other entry's cluster is not rebuilt");
        after.Find("outbound|9080||reviews.default.svc.cluster.local").Should().BeSameAs(before.Find("outbound|9080||reviews.default.svc.cluster.local"));
        (await proxy.NextAsync()).TypeUrl.Should().Be(TypeUrls.Listener);

        // The entry's two clusters and the listeners of its two TLS ports: nothing of the other services.
        (server.Stats.ResourcesBuilt - builtBefore).Should().BeLessThanOrEqualTo(4);
    }

    [Fact]
    public async Task A_workload_entry_change_of_a_static_entry_pushes_only_its_endpoints()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["billing.yaml"] = SelectingEntry("STATIC"),
            ["vm.yaml"] = WorkloadEntry("10.128.0.1"),
        });
        await using var proxy = await SubscribedAsync(server);
        var viewsBefore = server.Stats.ViewsGenerated;
        var builtBefore = server.Stats.ResourcesBuilt;
        var pushesBefore = Pushes(server).Count;

        await server.WriteConfigAsync("vm.yaml", WorkloadEntry("10.128.0.2"));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        Address(pushed).Should().Be("10.128.0.2");
        Pushes(server).Skip(pushesBefore).Should().NotBeEmpty().And.OnlyContain(m => m.Contains("endpoints only\": 0 services, 0 Istio objects", StringComparison.Ordinal));
        await proxy.AckAsync(pushed, [BillingCluster]);
        await proxy.ExpectNothingPendingAsync("clusters, listeners and routes did not change");
        server.Stats.ViewsGenerated.Should().Be(viewsBefore + 1);
        (server.Stats.ResourcesBuilt - builtBefore).Should().Be(1, "only the entry's one assignment is rebuilt");
    }

    [Fact]
    public async Task Changing_the_inline_endpoints_of_a_static_entry_pushes_only_endpoints()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["billing.yaml"] = StaticEntry("10.128.0.1") });
        await using var proxy = await SubscribedAsync(server);
        var builtBefore = server.Stats.ResourcesBuilt;
        var pushesBefore = Pushes(server).Count;

        await server.WriteConfigAsync("billing.yaml", StaticEntry("10.128.0.7"));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        Address(pushed).Should().Be("10.128.0.7");
        Pushes(server).Skip(pushesBefore).Should().NotBeEmpty().And.OnlyContain(m => m.Contains("endpoints only\": 0 services, 0 Istio objects", StringComparison.Ordinal));
        await proxy.AckAsync(pushed, [BillingCluster]);
        await proxy.ExpectNothingPendingAsync("clusters, listeners and routes did not change");
        (server.Stats.ResourcesBuilt - builtBefore).Should().Be(1);
    }

    [Fact]
    public async Task A_pod_a_static_entry_selects_becoming_ready_pushes_only_endpoints()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["billing.yaml"] = SelectingEntry("STATIC"),
            ["vm.yaml"] = WorkloadEntry("10.128.0.1"),
            ["pod.yaml"] = Pod(ready: false),
        });
        await using var proxy = await SubscribedAsync(server);
        var pushesBefore = Pushes(server).Count;

        await server.WriteConfigAsync("pod.yaml", Pod(ready: true));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Endpoint);
        pushed.Resources.Single().Unpack<ClusterLoadAssignment>().Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => e.Endpoint.Address.SocketAddress.Address).Should().BeEquivalentTo("10.128.0.1", "10.244.0.5");
        Pushes(server).Skip(pushesBefore).Should().NotBeEmpty().And.OnlyContain(m => m.Contains("endpoints only\": 0 services, 0 Istio objects", StringComparison.Ordinal));
        await proxy.AckAsync(pushed, [BillingCluster]);
        await proxy.ExpectNothingPendingAsync("clusters, listeners and routes did not change");
    }

    [Fact]
    public async Task A_workload_entry_change_of_a_dns_entry_rebuilds_only_its_cluster()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["billing.yaml"] = SelectingEntry("DNS"),
            ["vm.yaml"] = WorkloadEntry("10.128.0.1"),
        });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        var builtBefore = server.Stats.ResourcesBuilt;
        var pushesBefore = Pushes(server).Count;

        await server.WriteConfigAsync("vm.yaml", WorkloadEntry("10.128.0.2"));

        var pushed = await proxy.NextAsync();
        pushed.TypeUrl.Should().Be(TypeUrls.Cluster, "a DNS cluster carries its endpoints");
        var cluster = pushed.Resources.Select(r => r.Unpack<Cluster>()).Single(c => c.Name == BillingCluster);
        cluster.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.Address.Should().Be("10.128.0.2");
        Pushes(server).Skip(pushesBefore).Should().NotBeEmpty().And.OnlyContain(m => m.Contains("full\": 0 services, 1 Istio objects, 0 endpoint sets", StringComparison.Ordinal), "the entry's cluster changes");
        await proxy.AckAsync(pushed);
        await proxy.ExpectNothingPendingAsync("listeners did not change");
        (server.Stats.ResourcesBuilt - builtBefore).Should().Be(1, "only the entry's cluster is rebuilt");
    }

    private static async Task<SotwClient> SubscribedAsync(XdsServerInstance server)
    {
        var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Listener));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Route, ["8080"]), ["8080"]);
        var endpoints = await proxy.RequestAsync(TypeUrls.Endpoint, [BillingCluster]);
        endpoints.Resources.Should().ContainSingle();
        await proxy.AckAsync(endpoints, [BillingCluster]);
        return proxy;
    }

    /// <summary>The push log events so far, one per published snapshot, saying whether it changed endpoints only (the proxy has its EDS by the time it is asserted).</summary>
    private static List<string> Pushes(XdsServerInstance server) =>
        server.Logs.Events.Select(e => e.Message).Where(m => m.StartsWith("Pushing mesh version", StringComparison.Ordinal)).ToList();

    private static ResourceSet ClustersOf(XdsServerInstance server, Envoy.Config.Core.V3.Node node)
    {
        var state = server.Cache.Current;
        return state.ConfigFor(state.ViewOf(NodeParser.Parse(node))).Clusters;
    }

    private static string Address(Envoy.Service.Discovery.V3.DiscoveryResponse response) =>
        response.Resources.Single().Unpack<ClusterLoadAssignment>().Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.Address;

    private static string DnsEntry(string name, string host, params int[] ports) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: ServiceEntry
        metadata: {name: {{name}}, namespace: default}
        spec:
          hosts: [{{host}}]
          ports: [{{string.Join(", ", ports.Select(p => $"{{number: {p}, name: tls-{p}, protocol: TLS}}"))}}]
          resolution: DNS
        """;

    private static string StaticEntry(string address) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: ServiceEntry
        metadata: {name: billing, namespace: default}
        spec:
          hosts: [billing.example.com]
          addresses: [240.0.0.20]
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: {{address}} }]
        """;

    private static string SelectingEntry(string resolution) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: ServiceEntry
        metadata: {name: billing, namespace: default}
        spec:
          hosts: [billing.example.com]
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: {{resolution}}
          workloadSelector: {labels: {app: billing} }
        """;

    private static string WorkloadEntry(string address) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: WorkloadEntry
        metadata: {name: billing-vm, namespace: default}
        spec:
          address: {{address}}
          labels: {app: billing}
        """;

    private static string Pod(bool ready) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: billing-0, namespace: default, labels: {app: billing} }
        status:
          phase: Running
          podIP: 10.244.0.5
          conditions: [{type: Ready, status: "{{(ready ? "True" : "False")}}"}]
        """;
}
