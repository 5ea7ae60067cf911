using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Store;

/// <summary>
/// What a ServiceEntry, WorkloadEntry or Pod change pushes, as istiod 1.10's ServiceEntry registry
/// decides it (serviceEntryHandler, workloadEntryHandler, WorkloadInstanceHandler): endpoints only
/// where only EDS carries them (STATIC entries, Kubernetes Services); in full for DNS entries (their
/// clusters carry endpoints) and NONE entries (their listeners do).
/// </summary>
public sealed class WorkloadSelectionChangeTests
{
    private const string Origin = "test";
    private static readonly ConfigKey Billing = new("ServiceEntry", new ObjectKey("default", "billing"));

    private readonly MeshObjectStore _store = new(NullLogger<MeshObjectStore>.Instance);
    private readonly List<MeshChange> _changes = new();

    public WorkloadSelectionChangeTests()
    {
        _store.Subscribe((_, change) => _changes.Add(change));
    }

    [Fact]
    public void Changing_only_the_endpoints_of_a_static_entry_pushes_endpoints_only()
    {
        _store.Upsert(Origin, Load(StaticEntry("10.0.0.1"))[0]);
        _changes.Clear();

        _store.Upsert(Origin, Load(StaticEntry("10.0.0.2"))[0]);

        var change = _changes.Should().ContainSingle().Subject;
        change.EndpointConfig.Should().Equal(Billing);
        change.Config.Should().BeEmpty();
        change.IsEndpointOnly.Should().BeTrue();
    }

    [Fact]
    public void Changing_the_ports_of_a_static_entry_or_the_endpoints_of_a_dns_entry_is_a_full_change()
    {
        _store.Upsert(Origin, Load(StaticEntry("10.0.0.1"))[0]);
        _store.Upsert(Origin, Load(StaticEntry("10.0.0.1").Replace("number: 8080", "number: 8081", StringComparison.Ordinal))[0]);
        _store.Upsert(Origin, Load(StaticEntry("10.0.0.1").Replace("STATIC", "DNS", StringComparison.Ordinal))[0]);
        _store.Upsert(Origin, Load(StaticEntry("10.0.0.9").Replace("STATIC", "DNS", StringComparison.Ordinal))[0]);

        _changes.Should().HaveCount(4).And.OnlyContain(c => !c.IsEndpointOnly && c.Config.SequenceEqual(new[] { Billing }));
    }

    [Theory]
    [InlineData("STATIC", true)]
    [InlineData("DNS", false)]
    [InlineData("NONE", false)]
    public void A_workload_entry_an_entry_selects_changes_its_endpoints_only_when_the_entry_is_static(string resolution, bool endpointOnly)
    {
        _store.Replace(Origin, Load(SelectingEntry(resolution), WorkloadEntry("vm-1", "10.128.0.1", "billing")));
        _changes.Clear();

        _store.Upsert(Origin, Load(WorkloadEntry("vm-1", "10.128.0.2", "billing"))[0]);
        _store.Upsert(Origin, Load(WorkloadEntry("vm-1", "10.128.0.2", "reporting"))[0]);
        _store.Upsert(Origin, Load(WorkloadEntry("vm-1", "10.128.0.2", "billing"))[0]);
        _store.Delete(Origin, "WorkloadEntry", new ObjectKey("default", "vm-1"));

        _changes.Should().HaveCount(4, "an address change, leaving and joining the selection by labels, and a deletion");
        _changes.Should().OnlyContain(c => c.IsEndpointOnly == endpointOnly && (endpointOnly ? c.EndpointConfig : c.Config).SequenceEqual(new[] { Billing }));
    }

    [Fact]
    public void A_workload_entry_nothing_selects_is_kept_without_a_push()
    {
        _store.Replace(Origin, Load(SelectingEntry("STATIC")));
        _changes.Clear();

        _store.Upsert(Origin, Load(WorkloadEntry("vm-9", "10.128.0.9", "reporting"))[0]);
        _store.Upsert(Origin, Load(WorkloadEntry("vm-8", "10.128.0.8", "billing").Replace("namespace: default", "namespace: other", StringComparison.Ordinal))[0]);

        _changes.Should().BeEmpty();
        _store.Current.WorkloadEntries.Should().HaveCount(2, "the snapshot holds them for later");
    }

    [Fact]
    public void A_workload_entry_a_kubernetes_service_selects_is_an_endpoint_change_of_the_service()
    {
        _store.Replace(Origin, Load(SelectingService()));
        _changes.Clear();

        _store.Upsert(Origin, Load(WorkloadEntry("vm-1", "10.128.0.1", "details"))[0]);

        var change = _changes.Should().ContainSingle().Subject;
        change.Endpoints.Should().Equal(new ObjectKey("default", "details"));
        change.IsEndpointOnly.Should().BeTrue();
    }

    [Fact]
    public void A_pod_an_entry_selects_changes_its_endpoints()
    {
        _store.Replace(Origin, Load(SelectingEntry("STATIC"), SelectingEntry("NONE").Replace("name: billing", "name: billing-none", StringComparison.Ordinal)));
        _changes.Clear();

        _store.Upsert(Origin, Load(Pod("billing-0", "billing", ready: false))[0]);
        _store.Upsert(Origin, Load(Pod("billing-0", "billing", ready: true))[0]);

        _changes.Should().HaveCount(2);
        _changes.Should().OnlyContain(c => !c.IsEndpointOnly && c.EndpointConfig.SequenceEqual(new[] { Billing }) &&
                                           c.Config.SequenceEqual(new[] { new ConfigKey("ServiceEntry", new ObjectKey("default", "billing-none")) }));
        _store.Current.Pods[new ObjectKey("default", "billing-0")].Ready.Should().BeTrue();
    }

    private static List<MeshObject> Load(params string[] documents)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(Manifests.Join(documents));
        errors.Should().BeEmpty();
        return objects;
    }

    private static string StaticEntry(string address) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: ServiceEntry
        metadata: {name: billing, namespace: default}
        spec:
          hosts: [billing.example.com]
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

    private static string SelectingService() => """
        apiVersion: v1
        kind: Service
        metadata: {name: details, namespace: default}
        spec:
          clusterIP: 10.96.0.20
          selector: {app: details}
          ports: [{name: http, port: 9080}]
        """;

    private static string WorkloadEntry(string name, string address, string app) => $$"""
        apiVersion: networking.istio.io/v1alpha3
        kind: WorkloadEntry
        metadata: {name: {{name}}, namespace: default}
        spec:
          address: {{address}}
          labels: {app: {{app}} }
        """;

    private static string Pod(string name, string app, bool ready) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: default, labels: {app: {{app}} } }
        status:
          phase: Running
          podIP: 10.244.0.5
          conditions: [{type: Ready, status: "{{(ready ? "True" : "False")}}"}]
        """;
}
