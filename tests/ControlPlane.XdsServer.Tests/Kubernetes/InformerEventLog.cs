using System.Collections.Concurrent;
using ControlPlane.Mesh.Kubernetes.Informers;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Kubernetes;

/// <summary>What an informer handed its handler, in order.</summary>
public sealed class InformerEventLog<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentQueue<(InformerEventType Type, string Name, string? Version)> _events = new();

    public IReadOnlyList<(InformerEventType Type, string Name, string? Version)> Events => _events.ToList();

    public void Handle(InformerEventType type, T obj) => _events.Enqueue((type, obj.Metadata.Name, obj.Metadata.ResourceVersion));

    public int Count(InformerEventType type, string name) => Events.Count(e => e.Type == type && e.Name == name);
}
