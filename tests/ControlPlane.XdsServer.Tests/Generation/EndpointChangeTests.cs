using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>An endpoint-only change reuses a view's listeners; a headless service's endpoint change is no endpoint-only change.</summary>
public sealed class EndpointChangeTests
{
    private static readonly ProxyView Client = new(ProxyKind.Sidecar, "default", []);

    [Fact]
    public void An_endpoint_change_of_a_headless_service_is_a_change_of_the_service_as_it_changes_listeners()
    {
        var store = Store(Headless(), Slice("store", "tcp-peer", 7000, "10.244.2.10"));
        var changes = new List<MeshChange>();
        store.Subscribe((_, change) => changes.Add(change));

        store.Replace("slices", Objects(Slice("store", "tcp-peer", 7000, "10.244.2.10", "10.244.2.11")));

        changes.Should().ContainSingle().Which.Should().Match<MeshChange>(c => !c.IsEndpointOnly && c.Services.Contains(new ObjectKey("default", "store")));
    }

    [Fact]
    public void Without_headless_services_an_endpoint_only_change_keeps_the_listeners()
    {
        var store = Store(Manifests.Service("web", "default", "10.96.0.10", 80), Slice("web", "http", 80, "10.244.1.1"));
        var generator = new ConfigGenerator();
        var before = generator.Generate(store.Current, Client);

        store.Replace("slices", Objects(Slice("web", "http", 80, "10.244.1.1", "10.244.1.2")));
        var after = generator.Generate(store.Current, Client, previous: before);

        after.Listeners.Should().BeSameAs(before.Listeners);
        after.Routes.Should().BeSameAs(before.Routes);
        after.Endpoints.Should().NotBeSameAs(before.Endpoints);
    }

    private static string Headless() => """
        apiVersion: v1
        kind: Service
        metadata: {name: store, namespace: default}
        spec:
          clusterIP: None
          ports:
          - {name: tcp-peer, port: 7000}
        """;

    private static string Slice(string service, string portName, int port, params string[] addresses) =>
        Manifests.EndpointSlice(service, "default", port, portName, addresses);

    private static MeshObjectStore Store(string service, string slice)
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        store.Replace("services", Objects(service));
        store.Replace("slices", Objects(slice));
        return store;
    }

    private static List<MeshObject> Objects(string yaml)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(yaml);
        errors.Should().BeEmpty();
        return objects;
    }
}
