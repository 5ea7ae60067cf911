using ControlPlane.FakeKubernetes;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>The same Services and EndpointSlices give the same xDS whether they come from a cluster or from --config-dir.</summary>
public sealed class SourceEquivalenceTests
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task The_example_mesh_from_the_cluster_serves_what_it_serves_from_files()
    {
        await using var cluster = await TestCluster.StartAsync();
        var namespaces = new Dictionary<string, string>
        {
            ["bookinfo"] = await cluster.CreateNamespaceAsync("bookinfo"),
            ["data"] = await cluster.CreateNamespaceAsync("data"),
        };

        // What the cluster stores (with its defaults and allocations) is what the files then hold.
        var stored = new List<IKubernetesObject>();
        // The example's Pods stay out of both: on a real cluster they would become running workloads,
        // and their status (the IPs) is the kubelet's to write. Without DestinationRule subsets or
        // ServiceEntry selectors in the example mesh they change nothing served.
        foreach (var obj in ExampleMesh().Where(o => o is not V1Pod))
        {
            stored.Add(await CreateAsync(cluster, obj, namespaces[obj.Metadata.NamespaceProperty]));
        }

        await using var fromFiles = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = string.Join("\n---\n", stored.Select(o => KubernetesYaml.Serialize(o))),
        });
        // Another tenant keeps adding Services while the cluster-fed server is read.
        await using var neighbour = await Neighbours.StartChurnAsync(cluster);
        await using var fromCluster = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var node = TestNodes.Sidecar(ns: namespaces["bookinfo"], ip: "10.244.1.10");

        var expected = await ConfigOfAsync(fromFiles, node, namespaces.Values);
        expected.Should().ContainKey($"cds/outbound|9080||reviews.{namespaces["bookinfo"]}.svc.cluster.local");
        expected.Keys.Should().Contain(k => k.StartsWith("eds/", StringComparison.Ordinal) && k.Contains($".{namespaces["data"]}.", StringComparison.Ordinal));

        await Eventually.Until(
            () => ConfigOfAsync(fromCluster, node, namespaces.Values),
            actual => actual.Count == expected.Count && actual.All(pair => expected.TryGetValue(pair.Key, out var bytes) && bytes == pair.Value),
            "the cluster-fed server to serve the same clusters, endpoints and routes as the file-fed one");
    }

    /// <summary>Clusters, endpoints and virtual hosts of the given namespaces, keyed by type and name, as serialized bytes.</summary>
    private static async Task<Dictionary<string, ByteString>> ConfigOfAsync(XdsServerInstance server, Envoy.Config.Core.V3.Node node, IEnumerable<string> namespaces)
    {
        bool Ours(string name) => namespaces.Any(ns => name.Contains($".{ns}.svc.", StringComparison.Ordinal));

        // Other tenants' changes push CDS in between: each answer is awaited by its type, never taken as the next response.
        await using var proxy = new SotwClient(server.Channel, node);
        var subscriptions = new Dictionary<string, IReadOnlyList<string>>();
        var config = new Dictionary<string, ByteString>();
        await proxy.SendAsync(TypeUrls.Cluster);
        var clusters = (await proxy.UntilAsync(TypeUrls.Cluster, _ => true, subscriptions, "clusters")).Resources
            .Select(r => r.Unpack<Cluster>()).Where(c => Ours(c.Name)).ToList();
        foreach (var c in clusters)
        {
            config[$"cds/{c.Name}"] = c.ToByteString();
        }

        // No names would be a wildcard request: wait for a later attempt instead.
        if (clusters.Count == 0)
        {
            return config;
        }

        subscriptions[TypeUrls.Endpoint] = clusters.Select(c => c.Name).ToList();
        await proxy.SendAsync(TypeUrls.Endpoint, subscriptions[TypeUrls.Endpoint]);
        foreach (var assignment in (await proxy.UntilAsync(TypeUrls.Endpoint, _ => true, subscriptions, "endpoints")).Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).Where(a => Ours(a.ClusterName)))
        {
            config[$"eds/{assignment.ClusterName}"] = assignment.ToByteString();
        }

        subscriptions[TypeUrls.Route] = clusters.Select(c => c.Name.Split('|')[1]).Distinct().ToList();
        await proxy.SendAsync(TypeUrls.Route, subscriptions[TypeUrls.Route]);
        foreach (var route in (await proxy.UntilAsync(TypeUrls.Route, _ => true, subscriptions, "routes")).Resources.Select(r => r.Unpack<RouteConfiguration>()))
        {
            foreach (var host in route.VirtualHosts.Where(h => h.Domains.Any(Ours)))
            {
                config[$"rds/{route.Name}/{host.Name}"] = host.ToByteString();
            }
        }

        return config;
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> ExampleMesh()
    {
        var dir = Path.Combine(ControlPlane.Tests.Shared.RepositoryRoot.Path, "examples", "mesh");
        return Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file)))
            .Cast<IKubernetesObject<V1ObjectMeta>>();
    }

    private static async Task<IKubernetesObject> CreateAsync(TestCluster cluster, IKubernetesObject<V1ObjectMeta> obj, string ns)
    {
        obj.Metadata.NamespaceProperty = ns;
        switch (obj)
        {
            case V1Service service:
                if (cluster.IsReal)
                {
                    // A real cluster allocates the VIP from its own range, and a selector would make it
                    // add an EndpointSlice of its own beside the example's.
                    service.Spec.ClusterIP = null;
                    service.Spec.Selector = null;
                }

                return await cluster.Client.CoreV1.CreateNamespacedServiceAsync(service, ns);
            case V1EndpointSlice slice:
                foreach (var endpoint in slice.Endpoints)
                {
                    endpoint.TargetRef?.NamespaceProperty = ns;
                }

                return await cluster.Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns);
            default:
                throw new InvalidOperationException($"the example mesh holds a {obj.Kind}, which this test does not create");
        }
    }
}
