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
        var ns = await cluster.CreateNamespaceAsync("xds");
        var cluster80 = $"outbound|80||web.{ns}.svc.cluster.local";

        await TestServices.CreateWithEndpointAsync(cluster.Client, ns, "web", port: 80, targetPort: 8080, address: "192.0.2.10");

        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar(ns: ns));
        await proxy.SendAsync(TypeUrls.Cluster);
        await Eventually.Until(
            async () => (await proxy.NextAsync()).Resources.Any(r => r.Unpack<Cluster>().Name == cluster80),
            found => found,
            "the cluster of the new service");

        // The slice may reach the server after the service: an empty assignment is followed by a push.
        var endpoints = await proxy.RequestAsync(TypeUrls.Endpoint, [cluster80]);
        while (endpoints.Resources.Single().Unpack<ClusterLoadAssignment>().Endpoints.Count == 0)
        {
            await proxy.AckAsync(endpoints, [cluster80]);
            endpoints = await proxy.NextAsync();
        }

        endpoints.Resources.Single().Unpack<ClusterLoadAssignment>().Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => $"{e.Endpoint.Address.SocketAddress.Address}:{e.Endpoint.Address.SocketAddress.PortValue}")
            .Should().Equal("192.0.2.10:8080");
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
