using System.Text.Json;
using ControlPlane.FakeKubernetes;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>xds-server with --kubeconfig serves the cluster's live Services and EndpointSlices.</summary>
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
    public async Task Pods_namespaces_and_istio_resources_are_watched_into_the_cache()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var ns = await cluster.CreateNamespaceAsync("cache");

        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            },
            ns);

        await CrdInstaller.EnsureAsync(cluster);
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "networking.istio.io/v1alpha3",
                ["kind"] = "VirtualService",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "reviews" },
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["hosts"] = new System.Text.Json.Nodes.JsonArray("reviews") },
            },
            "networking.istio.io", "v1alpha3", ns, "virtualservices");

        await Eventually.Until(
            () => server.WatchedObjects.OfKind<V1Pod>("Pod").Any(p => p.Metadata.NamespaceProperty == ns) &&
                  server.WatchedObjects.OfKind<V1Namespace>("Namespace").Any(n => n.Metadata.Name == ns) &&
                  server.WatchedObjects.OfKind<IstioResource>("VirtualService").Any(v => v.Metadata.NamespaceProperty == ns),
            "the pod, its namespace and the VirtualService in the watch cache");
        server.WatchedObjects.OfKind<IstioResource>("VirtualService").Single(v => v.Metadata.NamespaceProperty == ns).Spec!.Value
            .GetProperty("hosts")[0].GetString().Should().Be("reviews");
    }
}
