using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Serves the cluster's live Services and EndpointSlices: one informer per kind feeds the store
/// under the origin "kubernetes". An object that turns invalid keeps its last valid version.
/// Pods, Namespaces and the Istio networking kinds are watched into a cache for their coming
/// translation; readiness waits only for the kinds that feed config today. When the API server
/// cannot be reached, nothing is withdrawn: the informers keep what they had and retry, and the
/// source reports failing (<see cref="SourceStatus"/>) until they list or watch again.
/// </summary>
public sealed class KubernetesConfigSource : BackgroundService, ISourceReadiness
{
    public const string Origin = "kubernetes";
    private readonly MeshObjectStore _store;
    private readonly MeshObjectTranslator _translator;
    private readonly ILogger<KubernetesConfigSource> _logger;
    private readonly IReadOnlyList<IResourceInformer> _informers;
    private readonly IReadOnlyList<IResourceInformer> _cacheInformers;

    public KubernetesConfigSource(IKubernetes client, MeshObjectStore store, MeshObjectTranslator translator, WatchedObjectCache cache, IOptions<ResourceInformerOptions> informerOptions, ILogger<KubernetesConfigSource> logger)
    {
        _store = store;
        _translator = translator;
        _logger = logger;
        _informers =
        [
            new ResourceInformer<V1Service, V1ServiceList>(KubernetesResourceClients.Services(client), OnEvent, informerOptions.Value, logger),
            new ResourceInformer<V1EndpointSlice, V1EndpointSliceList>(KubernetesResourceClients.EndpointSlices(client), OnEvent, informerOptions.Value, logger),
        ];
        var cached = new List<IResourceInformer>
        {
            new ResourceInformer<V1Pod, V1PodList>(KubernetesResourceClients.Pods(client), cache.HandlerFor<V1Pod>("Pod"), informerOptions.Value, logger),
            new ResourceInformer<V1Namespace, V1NamespaceList>(KubernetesResourceClients.Namespaces(client), cache.HandlerFor<V1Namespace>("Namespace"), informerOptions.Value, logger),
        };
        foreach (var (kind, plural) in IstioKinds.All)
        {
            cached.Add(new ResourceInformer<IstioResource, IstioResourceList>(
                CustomResourceClients.Namespaced<IstioResource, IstioResourceList>(client, IstioKinds.Group, IstioKinds.Version, plural),
                cache.HandlerFor<IstioResource>(kind),
                informerOptions.Value,
                logger));
        }

        _cacheInformers = cached;
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
        Task.WhenAll(_informers.Concat(_cacheInformers).Select(i => i.RunAsync(stoppingToken)));

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

    private void OnEvent<T>(InformerEventType type, T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var kind = obj is V1Service ? "Service" : "EndpointSlice";
        var key = new ObjectKey(obj.Metadata.NamespaceProperty ?? "default", obj.Metadata.Name);
        if (type == InformerEventType.Deleted)
        {
            _store.Delete(Origin, kind, key);
            return;
        }

        var result = _translator.Translate(obj);
        if (result.Error is not null)
        {
            XdsMetrics.ConfigErrors.WithLabels(Name).Inc();
            _logger.LogError("Ignoring invalid {Kind} {Namespace}/{Name} from the cluster (its last valid version, if any, stays served): {Reason}", kind, key.Namespace, key.Name, result.Error);
            return;
        }

        _store.Upsert(Origin, result.Object!);
    }
}
