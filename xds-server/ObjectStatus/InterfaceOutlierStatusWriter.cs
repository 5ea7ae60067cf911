using System.Net;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Generation.Indexes;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.ObjectStatus;

/// <summary>
/// With --kubernetes: writes the status of InterfaceOutlierDetections (observedGeneration and the
/// conditions of <see cref="InterfaceOutlierConditions"/>) through a rate-limited queue. Every replica
/// writes, and only when the status would change: it reads the object, works out the conditions from it,
/// the mesh and what it observed, and replaces the status with the read resourceVersion, so a replica
/// that raced another gets a conflict and tries again from what that one wrote. A generation the
/// informer has not reported yet is left alone until it has. Needs update on
/// interfaceoutlierdetections/status (the chart grants it).
/// </summary>
public sealed class InterfaceOutlierStatusWriter : BackgroundService
{
    private readonly IKubernetes _client;
    private readonly InterfaceOutlierStatusTracker _tracker;
    private readonly MeshObjectStore _store;
    private readonly string _clusterDomain;
    private readonly ILogger<InterfaceOutlierStatusWriter> _logger;
    private readonly RateLimitedQueue<ObjectKey> _queue = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60));
    private readonly TimeProvider _time;
    private MeshSnapshot _lastSnapshot = MeshSnapshot.Empty;

    public InterfaceOutlierStatusWriter(IKubernetes client, InterfaceOutlierStatusTracker tracker, MeshObjectStore store, IOptions<XdsServerOptions> options, ILogger<InterfaceOutlierStatusWriter> logger, TimeProvider? time = null)
    {
        _client = client;
        _tracker = tracker;
        _store = store;
        _clusterDomain = options.Value.ClusterDomain;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        tracker.Changed += _queue.Add;
        store.Subscribe(OnMeshChanged);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var key in _tracker.Keys)
        {
            _queue.Add(key);
        }

        try
        {
            while (true)
            {
                var key = await _queue.TakeAsync(stoppingToken);
                try
                {
                    await ReconcileAsync(key, stoppingToken);
                    _queue.Succeeded(key);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogWarning("Updating the status of InterfaceOutlierDetection {Namespace}/{Name} failed: {Error}; retrying", key.Namespace, key.Name, e.Message);
                    _queue.Failed(key, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>An object added, changed or removed may shadow others of its host, or stop shadowing them: their status is checked again.</summary>
    private void OnMeshChanged(MeshSnapshot mesh, MeshChange change)
    {
        var previous = Interlocked.Exchange(ref _lastSnapshot, mesh);
        var changed = change.Config.Where(c => c.Kind == MeshInterfaceOutlierDetection.KindName).Select(c => c.Key).ToList();
        if (changed.Count == 0)
        {
            return;
        }

        var before = InterfaceOutlierIndex.Of(previous, _clusterDomain);
        var after = InterfaceOutlierIndex.Of(mesh, _clusterDomain);
        var hosts = changed.SelectMany(k => new[] { before.HostOf(k), after.HostOf(k) }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var key in mesh.InterfaceOutlierDetections.Keys.Where(k => after.HostOf(k) is { } host && hosts.Contains(host)))
        {
            _queue.Add(key);
        }
    }

    private async Task ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        if (_tracker.Get(key) is not { } observed)
        {
            return;
        }

        InterfaceOutlierDetectionResource resource;
        try
        {
            resource = await _client.CustomObjects.GetNamespacedCustomObjectAsync<InterfaceOutlierDetectionResource>(
                MeshTrafficKinds.Group, MeshTrafficKinds.Version, key.Namespace, Plural, key.Name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        var generation = resource.Metadata.Generation ?? 0;
        if (observed.Observation.Generation != generation)
        {
            // The informer has not delivered this generation yet; it queues the key again when it does.
            return;
        }

        if (observed.Observation.Error is null && !_store.Current.InterfaceOutlierDetections.ContainsKey(key))
        {
            // Read but not in the store yet: its arrival there queues the key again.
            return;
        }

        var index = InterfaceOutlierIndex.Of(_store.Current, _clusterDomain);
        var shadowedBy = index.ShadowedBy(key);
        var usage = Usage(key, index, shadowedBy);
        var status = InterfaceOutlierConditions.Desired(generation, observed, shadowedBy is not null, usage, resource.Status, _time.GetUtcNow().UtcDateTime);
        if (status is null)
        {
            _logger.LogDebug("InterfaceOutlierDetection {Namespace}/{Name} generation {Generation}: status is current", key.Namespace, key.Name, generation);
            return;
        }

        resource.Status = status;
        resource.ApiVersion = MeshTrafficKinds.ApiVersion;
        resource.Kind = MeshInterfaceOutlierDetection.KindName;
        await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(resource, MeshTrafficKinds.Group, MeshTrafficKinds.Version, key.Namespace, Plural, key.Name, cancellationToken: cancellationToken);
        var accepted = status.Conditions!.Single(c => c.Type == InterfaceOutlierConditions.Accepted);
        var mosn = status.Conditions!.Single(c => c.Type == InterfaceOutlierConditions.MosnIgnores);
        _logger.LogInformation(
            "InterfaceOutlierDetection {Namespace}/{Name} generation {Generation}: Accepted={Accepted} ({Reason}), MosnIgnoresOutlierDetection={Mosn}",
            key.Namespace, key.Name, generation, accepted.Status, accepted.Reason, mosn.Status);
    }

    private string Usage(ObjectKey key, InterfaceOutlierIndex index, ObjectKey? shadowedBy)
    {
        var obj = _store.Current.InterfaceOutlierDetections.GetValueOrDefault(key);
        var host = index.HostOf(key) ?? "(unknown host)";
        var port = obj is null || obj.Spec.Port == 0 ? "every port" : $"port {obj.Spec.Port}";
        if (shadowedBy is { } winner)
        {
            return $"host {host}, {port}, is taken by the older {winner.Namespace}/{winner.Name}; this object is not in use";
        }

        return obj is null
            ? "not in use: no valid version has been read"
            : $"in use for host {host}, {port}: interfaces {string.Join(", ", obj.Spec.Interfaces.Select(i => i.Name))}";
    }

    private const string Plural = "interfaceoutlierdetections";
}
