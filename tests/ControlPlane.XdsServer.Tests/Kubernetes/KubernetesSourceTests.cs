using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>xds-server with --kubeconfig serves the cluster's live Services, EndpointSlices, Pods and Istio networking objects.</summary>
public sealed class KubernetesSourceTests
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Services_and_endpoint_slices_from_the_cluster_reach_an_xds_client()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        // Another tenant keeps adding Services meanwhile, so pushes not about this test's come between.
        await using var neighbour = await Neighbours.StartChurnAsync(cluster);
        var ns = await cluster.CreateNamespaceAsync("xds");
        var cluster80 = $"outbound|80||web.{ns}.svc.cluster.local";

        await TestServices.CreateWithEndpointAsync(cluster.Client, ns, "web", port: 80, targetPort: 8080, address: "192.0.2.10");

        var subscriptions = new Dictionary<string, IReadOnlyList<string>> { [TypeUrls.Endpoint] = [cluster80] };
        var node = TestNodes.Sidecar(ns: ns);
        await using var proxy = new SotwClient(server.Channel, node);
        await proxy.SendAsync(TypeUrls.Cluster);
        var clusters = await proxy.UntilAsync(
            TypeUrls.Cluster,
            r => r.Resources.Any(c => c.Unpack<Cluster>().Name == cluster80),
            subscriptions,
            "the cluster of the new service");

        // Someone else's Service arrives meanwhile: its CDS push is on the wire, unread, before the
        // endpoints are asked for, so the next response on the stream is not their answer.
        await TestServices.CreateWithEndpointAsync(cluster.Client, await cluster.CreateNamespaceAsync("meanwhile"), "other", port: 80, targetPort: 8080, address: "192.0.2.11");
        await Eventually.Until(
            async () => JsonDocument.Parse(await server.Http.GetStringAsync("/debug/syncz")).RootElement.EnumerateArray()
                .Where(p => p.GetProperty("proxy").GetString() == node.Id)
                .SelectMany(p => p.GetProperty("types").EnumerateArray())
                .FirstOrDefault(t => t.GetProperty("type").GetString() == "CDS") is { ValueKind: JsonValueKind.Object } cds
                ? cds.GetProperty("sentVersion").GetString() : null,
            sent => sent is not null && sent != clusters.VersionInfo,
            "a CDS push after the one read");

        // As Envoy does: ask for the endpoints of the cluster once it is known. The slice may reach the
        // server after the service, so an empty assignment may come first.
        await proxy.SendAsync(TypeUrls.Endpoint, [cluster80]);
        var endpoints = await proxy.UntilAsync(
            TypeUrls.Endpoint,
            r => r.Resources.Select(a => a.Unpack<ClusterLoadAssignment>()).Any(a => a.ClusterName == cluster80 && a.Endpoints.Count > 0),
            subscriptions,
            "the endpoints of the new service");

        endpoints.Resources.Select(a => a.Unpack<ClusterLoadAssignment>()).Single(a => a.ClusterName == cluster80)
            .Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => $"{e.Endpoint.Address.SocketAddress.Address}:{e.Endpoint.Address.SocketAddress.PortValue}")
            .Should().Equal("192.0.2.10:8080");
        neighbour.Created.Should().BeGreaterThan(0, "the neighbour was busy meanwhile");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Pods_and_istio_resources_land_typed_in_the_model_and_namespaces_in_the_cache()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var ns = await cluster.CreateNamespaceAsync("model");

        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web", ["version"] = "v1" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            },
            ns);
        await CrdInstaller.EnsureAsync(cluster);
        await CreateVirtualServiceAsync(cluster, ns, "reviews", weights: [100]);

        await Eventually.Until(
            () => server.Store.Current.Pods.ContainsKey(new ObjectKey(ns, "web")) &&
                  server.Store.Current.VirtualServices.ContainsKey(new ObjectKey(ns, "reviews")) &&
                  server.WatchedObjects.OfKind<V1Namespace>("Namespace").Any(n => n.Metadata.Name == ns),
            "the pod and the VirtualService in the model, the namespace in the watch cache");
        server.Store.Current.Pods[new ObjectKey(ns, "web")].Labels.Should().Equal(new Dictionary<string, string> { ["app"] = "web", ["version"] = "v1" });
        var vs = server.Store.Current.VirtualServices[new ObjectKey(ns, "reviews")];
        vs.Spec.Hosts.Should().Equal("reviews");
        vs.Spec.Http[0].Route.Select(r => (r.Destination.Host, r.Destination.Subset, r.Weight)).Should().Equal(("reviews", "v0", 100));
        vs.CreationTimestamp.Should().NotBeNull("the API server stamps it, and istiod orders by it");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task An_invalid_istio_object_is_logged_with_its_field_path_and_skipped_and_its_last_valid_version_stays()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var ns = await cluster.CreateNamespaceAsync("invalid");
        await CrdInstaller.EnsureAsync(cluster);
        var reviews = new ObjectKey(ns, "reviews");
        await CreateVirtualServiceAsync(cluster, ns, "reviews", weights: [50, 50]);
        await Eventually.Until(() => server.Store.Current.VirtualServices.ContainsKey(reviews), "the valid VirtualService in the model");
        var valid = server.Store.Current.VirtualServices[reviews];

        // Valid to the CRD schema, invalid to Istio: the weights add up to 90.
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(Spec([50, 40]).ToJsonString(), V1Patch.PatchType.MergePatch), "networking.istio.io", "v1alpha3", ns, "virtualservices", "reviews");
        await CreateVirtualServiceAsync(cluster, ns, "broken", weights: [10]);
        await CreateVirtualServiceAsync(cluster, ns, "fine", weights: [100]);

        await server.Logs.WaitForAsync("VirtualService", $"{ns}/reviews", "spec.http[0].route: total destination weight 90 != 100");
        await server.Logs.WaitForAsync("VirtualService", $"{ns}/broken", "spec.http[0].route: total destination weight 20 != 100");
        await Eventually.Until(() => server.Store.Current.VirtualServices.ContainsKey(new ObjectKey(ns, "fine")), "the valid VirtualService created after them in the model");
        server.Store.Current.VirtualServices[reviews].Should().BeSameAs(valid, "an object that turns invalid keeps its last valid version");
        server.Store.Current.VirtualServices.Should().NotContainKey(new ObjectKey(ns, "broken"));
        server.Logs.Events.Should().Contain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains($"{ns}/broken", StringComparison.Ordinal));
    }

    /// <summary>A VirtualService for host reviews routing to subsets v0, v1, ... with these weights; a single weight other than 100 is given to two destinations (so they add up wrong).</summary>
    private static Task CreateVirtualServiceAsync(TestCluster cluster, string ns, string name, int[] weights)
    {
        var body = Spec(weights.Length == 1 && weights[0] != 100 ? [weights[0], weights[0]] : weights);
        body["apiVersion"] = "networking.istio.io/v1alpha3";
        body["kind"] = "VirtualService";
        body["metadata"] = new JsonObject { ["name"] = name };
        return cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "networking.istio.io", "v1alpha3", ns, "virtualservices");
    }

    private static JsonObject Spec(int[] weights)
    {
        var route = new JsonArray();
        for (var i = 0; i < weights.Length; i++)
        {
            route.Add(new JsonObject { ["destination"] = new JsonObject { ["host"] = "reviews", ["subset"] = $"v{i}" }, ["weight"] = weights[i] });
        }

        return new JsonObject { ["spec"] = new JsonObject { ["hosts"] = new JsonArray("reviews"), ["http"] = new JsonArray(new JsonObject { ["route"] = route }) } };
    }
}
