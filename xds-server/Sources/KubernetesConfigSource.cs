using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.ObjectStatus;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Serves the cluster's live Services, EndpointSlices, Pods, Istio networking objects and the
/// control plane's traffic kinds (InterfaceOutlierDetection): one
/// informer per kind feeds the store, through the translator, under the origin "kubernetes". An
/// object that turns invalid keeps its last valid version (its error is logged with the object's
/// kind, namespace/name and field paths). Namespaces are watched into a cache for their coming use.
/// Readiness waits for Services, EndpointSlices and Pods; not for the custom kinds, whose CRDs a
/// cluster may lack (their informers keep retrying meanwhile). When the API server cannot be
/// reached, nothing is withdrawn: the informers keep what they had and retry, and the source reports
/// failing (<see cref="SourceStatus"/>) until they list or watch again.
/// </summary>
public sealed class KubernetesConfigSource : BackgroundService, ISourceReadiness
{
    public const string Origin = "kubernetes";
    private readonly MeshObjectStore _store;
    private readonly MeshObjectTranslator _translator;
    private readonly ILogger<KubernetesConfigSource> _logger;
    private readonly IReadOnlyList<IResourceInformer> _informers;
    private readonly IReadOnlyList<IResourceInformer> _otherInformers;
    private readonly InterfaceOutlierStatusTracker? _statusTracker;

    /// <param name="statusTracker">Told the generation and validity of each InterfaceOutlierDetection read, for its status; none when null.</param>
    public KubernetesConfigSource(IKubernetes client, MeshObjectStore store, MeshObjectTranslator translator, WatchedObjectCache cache, IOptions<ResourceInformerOptions> informerOptions, ILogger<KubernetesConfigSource> logger, InterfaceOutlierStatusTracker? statusTracker = null)
    {
        _statusTracker = statusTracker;
        _store = store;
        _translator = translator;
        _logger = logger;
        _informers =
        [
            new ResourceInformer<V1Service, V1ServiceList>(KubernetesResourceClients.Services(client), Handler<V1Service>("Service"), informerOptions.Value, logger),
            new ResourceInformer<V1EndpointSlice, V1EndpointSliceList>(KubernetesResourceClients.EndpointSlices(client), Handler<V1EndpointSlice>("EndpointSlice"), informerOptions.Value, logger),
            new ResourceInformer<V1Pod, V1PodList>(KubernetesResourceClients.Pods(client), Handler<V1Pod>(MeshPod.KindName), informerOptions.Value, logger),
        ];
        var others = new List<IResourceInformer>
        {
            new ResourceInformer<V1Namespace, V1NamespaceList>(KubernetesResourceClients.Namespaces(client), cache.HandlerFor<V1Namespace>("Namespace"), informerOptions.Value, logger),
        };
        var kinds = IstioKinds.All.Select(k => (k.Kind, k.Plural, IstioKinds.Group, IstioKinds.Version))
            .Concat(MeshTrafficKinds.All.Select(k => (k.Kind, k.Plural, MeshTrafficKinds.Group, MeshTrafficKinds.Version)));
        foreach (var (kind, plural, group, version) in kinds)
        {
            var handler = Handler<IstioResource>(kind);
            others.Add(new ResourceInformer<IstioResource, IstioResourceList>(
                CustomResourceClients.Namespaced<IstioResource, IstioResourceList>(client, group, version, plural),
                (type, resource) =>
                {
                    // List items need not say what they are; the informer knows.
                    resource.Kind = kind;
                    resource.ApiVersion = $"{group}/{version}";
                    handler(type, resource);
                },
                informerOptions.Value,
                logger));
        }

        _otherInformers = others;
        Status = new SourceStatus(Name, logger);
        foreach (var informer in _informers)
        {
            informer.StatusChanged += UpdateStatus;
        }
    }

    public string Name => "kubernetes";

    public bool IsSynced => Status.IsSynced;

    public SourceStatus Status { get; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_informers.Concat(_otherInformers).Select(i => i.RunAsync(stoppingToken)));

    /// <summary>Failing while any informer that feeds config fails; read again once all have synced and none fails.</summary>
    private void UpdateStatus()
    {
        lock (Status)
        {
            var failures = _informers.Where(i => i.Failure is not null).Select(i => i.Failure!).ToList();
            if (failures.Count > 0)
            {
                Status.Failed(string.Join("; ", failures));
            }
            else if (_informers.All(i => i.HasSynced))
            {
                Status.Succeeded();
            }
        }
    }

    private Action<InformerEventType, T> Handler<T>(string kind)
        where T : IKubernetesObject<V1ObjectMeta> =>
        (type, obj) =>
        {
            var key = new ObjectKey(obj.Metadata.NamespaceProperty ?? "default", obj.Metadata.Name);
            var reportsStatus = _statusTracker is not null && kind == MeshInterfaceOutlierDetection.KindName;
            if (type == InformerEventType.Deleted)
            {
                _store.Delete(Origin, kind, key);
                if (reportsStatus)
                {
                    _statusTracker!.Deleted(key);
                }

                return;
            }

            var result = _translator.Translate(obj);
            if (reportsStatus)
            {
                // Before the store hears of it: MOSN proxies pushed the new clusters then report on this generation.
                _statusTracker!.Observed(key, obj.Metadata.Generation ?? 0, result.Error);
            }

            foreach (var warning in result.WarningsOrEmpty)
            {
                _logger.LogWarning("{Kind} {Namespace}/{Name} from the cluster: {Warning}", kind, key.Namespace, key.Name, warning);
            }

            if (result.Error is not null)
            {
                XdsMetrics.ConfigErrors.WithLabels(Name).Inc();
                _logger.LogError("Ignoring invalid {Kind} {Namespace}/{Name} from the cluster (its last valid version, if any, stays served): {Reason}", kind, key.Namespace, key.Name, result.Error);
                return;
            }

            _store.Upsert(Origin, result.Object!);
        };
}
