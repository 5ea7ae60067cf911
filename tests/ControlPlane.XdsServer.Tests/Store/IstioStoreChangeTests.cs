using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Store;

/// <summary>How the store reports Istio objects and Pods: which objects changed, and identity kept for unchanged ones.</summary>
public sealed class IstioStoreChangeTests
{
    private const string Origin = "test";

    private readonly MeshObjectStore _store = new(NullLogger<MeshObjectStore>.Instance);
    private readonly List<MeshChange> _changes = new();

    public IstioStoreChangeTests()
    {
        _store.Subscribe((_, change) => _changes.Add(change));
    }

    [Fact]
    public void A_new_virtual_service_is_a_config_change_naming_it()
    {
        _store.Replace(Origin, Load(VirtualService("reviews", 80)));

        _changes.Should().ContainSingle().Which.Config.Should().Equal(new ConfigKey("VirtualService", new ObjectKey("bookinfo", "reviews")));
        _changes[0].IsEndpointOnly.Should().BeFalse();
        _store.Current.VirtualServices.Keys.Should().Equal(new ObjectKey("bookinfo", "reviews"));
    }

    [Fact]
    public void Replacing_several_origins_at_once_is_one_snapshot_and_one_change()
    {
        var before = _store.Current.Version;

        _store.ReplaceAll([("file:a", Load(VirtualService("reviews", 80))), ("file:b", Load(VirtualService("ratings", 80)))]);

        _changes.Should().ContainSingle("subscribers never see one origin replaced without the other")
            .Which.Config.Select(c => c.Key.Name).Should().BeEquivalentTo(["reviews", "ratings"]);
        _store.Current.Version.Should().Be(before + 1);
        _store.Current.VirtualServices.Keys.Select(k => k.Name).Should().BeEquivalentTo(["reviews", "ratings"]);
    }

    [Fact]
    public void Rereading_an_unchanged_object_changes_nothing_and_keeps_its_instance()
    {
        _store.Replace(Origin, Load(VirtualService("reviews", 80), VirtualService("ratings", 80)));
        var before = _store.Current;

        _store.Replace(Origin, Load(VirtualService("reviews", 80), VirtualService("ratings", 70)));

        _changes.Should().HaveCount(2);
        _changes[1].Config.Should().Equal(new ConfigKey("VirtualService", new ObjectKey("bookinfo", "ratings")));
        _store.Current.VirtualServices[new ObjectKey("bookinfo", "reviews")].Should().BeSameAs(before.VirtualServices[new ObjectKey("bookinfo", "reviews")]);
        _store.Current.VirtualServices[new ObjectKey("bookinfo", "ratings")].Should().NotBeSameAs(before.VirtualServices[new ObjectKey("bookinfo", "ratings")]);

        _store.Replace(Origin, Load(VirtualService("reviews", 80), VirtualService("ratings", 70)));

        _changes.Should().HaveCount(2, "equal objects make no change");
    }

    [Fact]
    public void An_interface_outlier_detection_is_a_config_change_naming_it_and_an_equal_reread_is_none()
    {
        const string Iod = "apiVersion: mesh.controlplane.io/v1alpha1\nkind: InterfaceOutlierDetection\nmetadata: {name: payments, namespace: shop}\nspec:\n  host: payments\n  interfaces:\n  - name: pay\n    match: {uri: {exact: /pay}}\n    outlierDetection: {consecutive5xxErrors: 3}\n";

        _store.Replace(Origin, Load(Iod));
        _store.Replace(Origin, Load(Iod));

        _changes.Should().ContainSingle().Which.Config.Should().Equal(new ConfigKey("InterfaceOutlierDetection", new ObjectKey("shop", "payments")));
        _changes[0].IsEndpointOnly.Should().BeFalse();
        _store.Current.InterfaceOutlierDetections.Keys.Should().Equal(new ObjectKey("shop", "payments"));
    }

    [Fact]
    public void Deleting_an_object_names_it()
    {
        _store.Replace(Origin, Load(VirtualService("reviews", 80)));

        _store.Delete(Origin, "VirtualService", new ObjectKey("bookinfo", "reviews"));

        _changes[^1].Config.Should().Equal(new ConfigKey("VirtualService", new ObjectKey("bookinfo", "reviews")));
        _store.Current.VirtualServices.Should().BeEmpty();
    }

    [Fact]
    public void A_label_change_of_a_pod_an_endpoint_names_is_an_endpoint_change_of_its_service()
    {
        _store.Replace(Origin, Load(
            Manifests.Service("reviews", "bookinfo", "10.96.0.9", 9080),
            SliceNaming("reviews-v1-abc"),
            Pod("reviews-v1-abc", "v1"),
            Pod("lonely", "v1")));
        _changes.Clear();

        _store.Upsert(Origin, Load(Pod("reviews-v1-abc", "v2"))[0]);

        var change = _changes.Should().ContainSingle().Subject;
        change.Endpoints.Should().Equal(new ObjectKey("bookinfo", "reviews"));
        change.IsEndpointOnly.Should().BeTrue("subsets choose endpoints by pod labels; no listener depends on them");
        _store.Current.Pods[new ObjectKey("bookinfo", "reviews-v1-abc")].Labels["version"].Should().Be("v2");
    }

    [Fact]
    public void A_pod_no_endpoint_names_is_kept_without_a_push()
    {
        _store.Replace(Origin, Load(Manifests.Service("reviews", "bookinfo", "10.96.0.9", 9080)));
        _changes.Clear();

        _store.Upsert(Origin, Load(Pod("reviews-v1-abc", "v1"))[0]);

        _changes.Should().BeEmpty();
        _store.Current.Pods.Should().ContainKey(new ObjectKey("bookinfo", "reviews-v1-abc"));

        _store.Upsert(Origin, Load(SliceNaming("reviews-v1-abc"))[0]);
        _store.Upsert(Origin, Load(Pod("reviews-v1-abc", "v3"))[0]);

        _changes.Should().HaveCount(2).And.OnlyContain(c => c.IsEndpointOnly && c.Endpoints.Contains(new ObjectKey("bookinfo", "reviews")));
    }

    private static List<MeshObject> Load(params string[] documents)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(Manifests.Join(documents));
        errors.Should().BeEmpty();
        return objects;
    }

    private static string VirtualService(string name, int weight) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: {{name}}, namespace: bookinfo}
        spec:
          hosts: [{{name}}]
          http:
          - route:
            - {destination: {host: {{name}}, subset: v1}, weight: {{weight}} }
            - {destination: {host: {{name}}, subset: v2}, weight: {{100 - weight}} }
        """;

    private static string Pod(string name, string version) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: bookinfo, labels: {app: reviews, version: {{version}} } }
        status: {podIP: 10.1.0.7}
        """;

    private static string SliceNaming(string pod) => $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: reviews-abc, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews} }
        addressType: IPv4
        ports: [{name: http, port: 9080}]
        endpoints:
        - addresses: [10.1.0.7]
          targetRef: {kind: Pod, name: {{pod}}, namespace: bookinfo}
        """;
}
