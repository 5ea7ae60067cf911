using ControlPlane.FakeKubernetes;
using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.XdsServer.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>The typed informer against the fake API server, or a real cluster (CONTROLPLANE_TEST_KUBECONFIG).</summary>
public sealed class ResourceInformerTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly InformerEventLog<V1Service> _log = new();
    private readonly TestLogSink _logs = new();
    private TestCluster _cluster = null!;
    private ResourceInformer<V1Service, V1ServiceList> _informer = null!;
    private Task _running = Task.CompletedTask;
    private string _ns = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        // A previous run's namespace, still Terminating, holds services of the same names: the informer
        // (over all namespaces) sees them too, and the counts below must not.
        await Neighbours.LeaveTerminatingAsync(_cluster, "before", "added", "kept", "while-away", "after-drop", "after-errors");
        _ns = await _cluster.CreateNamespaceAsync("informer");
        await CreateServiceAsync("before");
        var options = new ResourceInformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        _informer = new ResourceInformer<V1Service, V1ServiceList>(KubernetesResourceClients.Services(_cluster.Client), _log.Handle, options, _logs.CreateLogger("informer"));
        _running = _informer.RunAsync(_stop.Token);
        await Eventually.Until(() => _informer.HasSynced, "the first list");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await _cluster.DisposeAsync();
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Lists_then_follows_adds_changes_and_deletes()
    {
        _log.Count(InformerEventType.Upserted, _ns, "before").Should().Be(1, "the list announces existing objects");

        await CreateServiceAsync("added");
        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "added") == 1, "the added service");

        var service = await _cluster.Client.CoreV1.ReadNamespacedServiceAsync("added", _ns);
        service.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "yes" };
        await _cluster.Client.CoreV1.ReplaceNamespacedServiceAsync(service, "added", _ns);
        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "added") == 2, "the modified service");

        await _cluster.Client.CoreV1.DeleteNamespacedServiceAsync("added", _ns);
        await Eventually.Until(() => _log.Count(InformerEventType.Deleted, _ns, "added") == 1, "the deleted service");
    }

    [Fact]
    public async Task Gone_relists_and_reports_only_what_changed_meanwhile()
    {
        var fake = _cluster.Fake ?? throw SkipOnRealCluster();
        await CreateServiceAsync("kept");
        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "kept") == 1, "the kept service");

        // While the watch is down, one service changes and one goes; then history is compacted.
        fake.Store.CloseWatches();
        fake.Store.Compact();
        await CreateServiceAsync("while-away");
        await _cluster.Client.CoreV1.DeleteNamespacedServiceAsync("before", _ns);

        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "while-away") == 1 && _log.Count(InformerEventType.Deleted, _ns, "before") == 1, "the relist diff");
        _log.Count(InformerEventType.Upserted, _ns, "kept").Should().Be(1, "an unchanged object causes no event on relist");
        _log.Count(InformerEventType.Upserted, _ns, "before").Should().Be(1);
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_version_without_relisting()
    {
        var fake = _cluster.Fake ?? throw SkipOnRealCluster();
        var lists = _informer.Lists;

        fake.Store.CloseWatches();
        await CreateServiceAsync("after-drop");

        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "after-drop") == 1, "the event after the watch came back");
        _informer.Lists.Should().Be(lists, "the history since the last version was still there; informer log: " + string.Join(" | ", _logs.Events.Select(e => e.Message)));
        _log.Count(InformerEventType.Upserted, _ns, "before").Should().Be(1, "events are not replayed twice");
    }

    [Fact]
    public async Task Errors_back_off_and_recover()
    {
        var fake = _cluster.Fake ?? throw SkipOnRealCluster();
        fake.Options.FailReads("services", 4);
        fake.Store.CloseWatches();

        await CreateServiceAsync("after-errors");

        await Eventually.Until(() => _log.Count(InformerEventType.Upserted, _ns, "after-errors") == 1, "recovery after failed requests");
    }

    private Task CreateServiceAsync(string name) =>
        _cluster.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
            },
            _ns);

    private static Exception SkipOnRealCluster() =>
        new InvalidOperationException("this test drives the fake API server's failure hooks; it runs only without CONTROLPLANE_TEST_KUBECONFIG");
}
