using System.Collections.Concurrent;
using ControlPlane.Mesh.Kubernetes.Informers;
using k8s;
using k8s.Models;
using Prometheus;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Watched objects the mesh model does not translate (today: Namespaces), kept current so that
/// their use needs no new watch.
/// </summary>
public sealed class WatchedObjectCache
{
    private static readonly Gauge Objects = Metrics.CreateGauge("controlplane_kubernetes_watched_objects", "Objects in the watch caches, by kind.", "kind");
    private readonly ConcurrentDictionary<(string Kind, string? Namespace, string Name), IKubernetesObject<V1ObjectMeta>> _objects = new();

    public int Count(string kind) => _objects.Keys.Count(k => k.Kind == kind);

    public IReadOnlyList<T> OfKind<T>(string kind)
        where T : IKubernetesObject<V1ObjectMeta> =>
        _objects.Where(pair => pair.Key.Kind == kind).Select(pair => pair.Value).OfType<T>().ToList();

    public Action<InformerEventType, T> HandlerFor<T>(string kind)
        where T : IKubernetesObject<V1ObjectMeta> =>
        (type, obj) =>
        {
            var key = (kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name);
            if (type == InformerEventType.Deleted)
            {
                _objects.TryRemove(key, out _);
            }
            else
            {
                _objects[key] = obj;
            }

            Objects.WithLabels(kind).Set(Count(kind));
        };
}
