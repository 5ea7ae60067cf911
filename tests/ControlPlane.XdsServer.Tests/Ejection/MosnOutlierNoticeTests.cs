using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.ObjectStatus;
using ControlPlane.XdsServer.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// MOSN's istio-1.10 converter ignores outlier_detection. When a MOSN sidecar is sent clusters that carry it,
/// from an InterfaceOutlierDetection or a DestinationRule, the xds-server says so: one warning per proxy and
/// object naming the proxy and clusters, the proxy's notices in /debug/syncz, the object's status tracker told,
/// and with --kubernetes the InterfaceOutlierDetection's MosnIgnoresOutlierDetection condition turned True.
/// An Envoy sidecar with the same clusters has none.
/// </summary>
public sealed class MosnOutlierNoticeTests
{
    private const string Mesh = """
        apiVersion: v1
        kind: Service
        metadata: {name: payments, namespace: default}
        spec:
          clusterIP: 10.96.70.10
          ports:
          - {name: http, port: 8080}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ledger, namespace: default}
        spec:
          clusterIP: 10.96.70.11
          ports:
          - {name: http, port: 8080}
        ---
        apiVersion: mesh.controlplane.io/v1alpha1
        kind: InterfaceOutlierDetection
        metadata: {name: payments, namespace: default}
        spec:
          host: payments
          interfaces:
          - name: pay
            match: {uri: {exact: /pay}}
            outlierDetection: {consecutive5xxErrors: 3}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: ledger, namespace: default}
        spec:
          host: ledger
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 5}
        """;

    private const string PayCluster = "outbound|8080||payments.default.svc.cluster.local|interface-pay";
    private const string LedgerCluster = "outbound|8080||ledger.default.svc.cluster.local";

    [Fact]
    public async Task A_mosn_sidecar_sent_outlier_detection_is_reported_in_the_log_syncz_and_status_tracker()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["mesh.yaml"] = Mesh });
        await using var mosn = new MosnClient(server.Channel, TestNodes.Mosn()) { LocalAddresses = new HashSet<string> { "10.0.0.2" } };
        await mosn.StartAsync();

        await Eventually.Until(() => mosn.Clusters.ContainsKey(PayCluster) && mosn.Clusters.ContainsKey(LedgerCluster), "MOSN to get the clusters with outlier detection");
        mosn.Clusters[PayCluster].OutlierDetection.Should().NotBeNull("MOSN is sent what Envoy gets; it is only told the truth about it");

        await server.Logs.WaitForAsync("InterfaceOutlierDetection", "payments", "mosn-client.default", PayCluster, "MOSN ignores outlier_detection");
        await server.Logs.WaitForAsync("DestinationRule", "ledger", "mosn-client.default", LedgerCluster, "never ejected");
        server.Logs.Events.Where(e => e.Level == LogLevel.Warning && e.Message.Contains(PayCluster, StringComparison.Ordinal)).Should().ContainSingle("once per proxy and object");

        var syncz = await NoticesAsync(server, "mosn-client");
        syncz.Should().BeEquivalentTo(new[]
        {
            ("DestinationRule", "default", "ledger", LedgerCluster),
            ("InterfaceOutlierDetection", "default", "payments", PayCluster),
        });
        var entry = server.Services.GetRequiredService<InterfaceOutlierStatusTracker>().Get(new ObjectKey("default", "payments"));
        entry!.Mosn!.ProxyId.Should().Contain("mosn-client.default");
        entry.Mosn.Cluster.Should().Be(PayCluster);
    }

    [Fact]
    public async Task An_envoy_sidecar_with_the_same_clusters_has_no_notices()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["mesh.yaml"] = Mesh });
        await using var envoy = new SotwClient(server.Channel, TestNodes.Sidecar());
        var clusters = await envoy.RequestAsync(ControlPlane.XdsServer.Generation.TypeUrls.Cluster);

        clusters.Resources.Select(r => r.Unpack<Envoy.Config.Cluster.V3.Cluster>().Name).Should().Contain(PayCluster);
        await Eventually.Until(async () => (await NoticesAsync(server, "client")).Count, count => count == 0, "Envoy's syncz entry");
        server.Logs.Events.Should().NotContain(e => e.Level == LogLevel.Warning && e.Message.Contains(PayCluster, StringComparison.Ordinal));
        server.Services.GetRequiredService<InterfaceOutlierStatusTracker>().Get(new ObjectKey("default", "payments"))?.Mosn.Should().BeNull();
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task With_kubernetes_a_mosn_sidecar_receiving_an_interface_cluster_turns_the_objects_condition_true()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(cluster);
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var ns = await cluster.CreateNamespaceAsync("iod-mosn-e2e");
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "payments" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 8080 }] },
            },
            ns);
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = "mesh.controlplane.io/v1alpha1",
                ["kind"] = "InterfaceOutlierDetection",
                ["metadata"] = new JsonObject { ["name"] = "payments" },
                ["spec"] = JsonNode.Parse("""{"host": "payments", "interfaces": [{"name": "pay", "match": {"uri": {"exact": "/pay"}}, "outlierDetection": {"consecutive5xxErrors": 3}}]}"""),
            },
            "mesh.controlplane.io", "v1alpha1", ns, "interfaceoutlierdetections");
        var payCluster = $"outbound|8080||payments.{ns}.svc.cluster.local|interface-pay";
        await ConditionAsync(cluster, ns, c => c.Status == "False", "MosnIgnoresOutlierDetection to be False before any MOSN proxy");

        await using var mosn = new MosnClient(server.Channel, TestNodes.Mosn(ns: ns)) { LocalAddresses = new HashSet<string> { "10.0.0.2" } };
        await mosn.StartAsync();
        await Eventually.Until(() => mosn.Clusters.ContainsKey(payCluster), "MOSN to get the interface cluster");

        var condition = await ConditionAsync(cluster, ns, c => c.Status == "True", "MosnIgnoresOutlierDetection to turn True");
        condition.Reason.Should().Be("MosnProxyReceived");
        condition.Message.Should().Contain($"mosn-client.{ns}").And.Contain(payCluster);
    }

    private static async Task<V1Condition> ConditionAsync(TestCluster cluster, string ns, Func<V1Condition, bool> until, string what)
    {
        V1Condition? found = null;
        await Eventually.Until(
            async () =>
            {
                var resource = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<InterfaceOutlierDetectionResource>(
                    "mesh.controlplane.io", "v1alpha1", ns, "interfaceoutlierdetections", "payments");
                found = resource.Status?.Conditions?.FirstOrDefault(c => c.Type == "MosnIgnoresOutlierDetection");
                return found;
            },
            c => c is not null && until(c),
            what);
        return found!;
    }

    private static async Task<List<(string Kind, string Namespace, string Name, string Cluster)>> NoticesAsync(XdsServerInstance server, string pod)
    {
        var proxies = JsonDocument.Parse(await server.Http.GetStringAsync("/debug/syncz")).RootElement;
        var proxy = proxies.EnumerateArray().Single(p => p.GetProperty("proxy").GetString()!.Contains($"~{pod}.", StringComparison.Ordinal));
        proxy.GetProperty("noticeCount").GetInt32().Should().Be(proxy.GetProperty("notices").GetArrayLength());
        return proxy.GetProperty("notices").EnumerateArray()
            .Select(n => (n.GetProperty("kind").GetString()!, n.GetProperty("namespace").GetString()!, n.GetProperty("name").GetString()!, n.GetProperty("cluster").GetString()!))
            .ToList();
    }
}
