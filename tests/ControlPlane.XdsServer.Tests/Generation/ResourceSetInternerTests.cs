using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Tests.Generation;

public class ResourceSetInternerTests
{
    private static readonly XdsResource A = XdsResource.Create("a", new Cluster { Name = "a" });
    private static readonly XdsResource B = XdsResource.Create("b", new Cluster { Name = "b" });
    private static readonly XdsResource OtherA = XdsResource.Create("a", new Cluster { Name = "a" });

    [Fact]
    public void The_same_resources_in_any_order_are_one_set()
    {
        var sets = new ResourceSetInterner();

        sets.Intern([A, B]).Should().BeSameAs(sets.Intern([B, A]));
    }

    [Fact]
    public void Equal_content_in_other_objects_or_other_resources_is_another_set()
    {
        var sets = new ResourceSetInterner();
        var first = sets.Intern([A, B]);

        sets.Intern([OtherA, B]).Should().NotBeSameAs(first, "identity, not bytes, decides: a rebuilt resource is a change to deliver");
        sets.Intern([A]).Should().NotBeSameAs(first);
    }

    [Fact]
    public void Proxies_in_different_namespaces_share_cluster_and_endpoint_sets()
    {
        var generator = new ConfigGenerator();
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1"),
            Manifests.Service("ratings", "other", "10.96.0.11", 9080),
            Manifests.EndpointSlice("ratings", "other", 9080, "http", "10.1.0.2")));
        errors.Should().BeEmpty();
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        store.Replace("test", objects);
        var mesh = store.Current;

        var one = generator.Generate(mesh, new ProxyView(ProxyKind.Sidecar, "default", []));
        var two = generator.Generate(mesh, new ProxyView(ProxyKind.Sidecar, "other", []));

        two.Clusters.Should().BeSameAs(one.Clusters, "nothing in the clusters depends on the namespace here");
        two.Endpoints.Should().BeSameAs(one.Endpoints);
        two.Routes.Should().NotBeSameAs(one.Routes, "short names differ by namespace");
    }
}
