using System.Collections.Concurrent;
using ControlPlane.Mesh.Kubernetes.Informers;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>What an informer handed its handler, in order.</summary>
public sealed class InformerEventLog<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentQueue<(InformerEventType Type, string? Namespace, string Name, string? Version)> _events = new();

    public IReadOnlyList<(InformerEventType Type, string? Namespace, string Name, string? Version)> Events => _events.ToList();

    public void Handle(InformerEventType type, T obj) => _events.Enqueue((type, obj.Metadata.NamespaceProperty, obj.Metadata.Name, obj.Metadata.ResourceVersion));

    /// <summary>Events of one object: a shared cluster holds other namespaces' objects of the same name.</summary>
    public int Count(InformerEventType type, string ns, string name) => Events.Count(e => e.Type == type && e.Namespace == ns && e.Name == name);
}
