using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Store;

/// <summary>
/// Decides what a change of a ServiceEntry, WorkloadEntry or Pod does to proxies, as istiod 1.10's
/// ServiceEntry registry (serviceEntryHandler, workloadEntryHandler, WorkloadInstanceHandler) and
/// Kubernetes controller (WorkloadInstanceHandler) decide it: an entry whose only change is its
/// inline endpoints, or a workload an entry selects, changes endpoints only when the entry's
/// resolution is STATIC (EDS); for DNS entries the endpoints are in the clusters and for NONE
/// entries in the listeners, so those are full changes. A WorkloadEntry a Kubernetes Service
/// selects changes that Service's endpoints.
/// </summary>
internal sealed class WorkloadSelectionChanges
{
    private readonly IstioObjects _istio;
    private readonly ImmutableSortedDictionary<ObjectKey, MeshService> _services;
    private Dictionary<string, List<MeshServiceEntry>>? _selectingEntries;

    public WorkloadSelectionChanges(IstioObjects istio, ImmutableSortedDictionary<ObjectKey, MeshService> services)
    {
        _istio = istio;
        _services = services;
    }

    public ImmutableHashSet<ConfigKey>.Builder Config { get; } = ImmutableHashSet.CreateBuilder<ConfigKey>();

    public ImmutableHashSet<ConfigKey>.Builder EndpointConfig { get; } = ImmutableHashSet.CreateBuilder<ConfigKey>();

    /// <summary>Kubernetes Services whose endpoints changed because a WorkloadEntry they select did.</summary>
    public HashSet<ObjectKey> ServiceEndpoints { get; } = new();

    /// <summary>An Istio object that was added, modified or removed.</summary>
    public void IstioObjectChanged(string kind, ObjectKey key, MeshIstioObject? old, MeshIstioObject? current)
    {
        switch (old ?? current)
        {
            case MeshServiceEntry when old is MeshServiceEntry before && current is MeshServiceEntry after && OnlyStaticEndpointsDiffer(before, after):
                EndpointConfig.Add(new ConfigKey(kind, key));
                break;
            case MeshWorkloadEntry:
                WorkloadChanged(key.Namespace, (old as MeshWorkloadEntry)?.Spec.Labels, (current as MeshWorkloadEntry)?.Spec.Labels);
                KubernetesSelectionChanged(key.Namespace, old as MeshWorkloadEntry, current as MeshWorkloadEntry);
                break;
            default:
                Config.Add(new ConfigKey(kind, key));
                break;
        }
    }

    /// <summary>A Pod that was added, modified or removed: the entries selecting it (before or after) have new endpoints.</summary>
    public void PodChanged(ObjectKey key, MeshPod? old, MeshPod? current) => WorkloadChanged(key.Namespace, old?.Labels, current?.Labels);

    /// <summary>Whether <paramref name="labels"/> include every label of <paramref name="selector"/> (an empty selector selects all).</summary>
    public static bool Selects(IEnumerable<KeyValuePair<string, string>> selector, ValueMap<string> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static bool OnlyStaticEndpointsDiffer(MeshServiceEntry before, MeshServiceEntry after) =>
        before.Spec.Resolution == ServiceEntryResolution.Static && after.Spec.Resolution == ServiceEntryResolution.Static &&
        before.CreationTimestamp == after.CreationTimestamp &&
        before.Spec with { Endpoints = ValueList<WorkloadEntry>.Empty } == after.Spec with { Endpoints = ValueList<WorkloadEntry>.Empty };

    /// <summary>Entries of the workload's namespace whose selector matches its labels before or after.</summary>
    private void WorkloadChanged(string ns, ValueMap<string>? before, ValueMap<string>? after)
    {
        _selectingEntries ??= _istio.ServiceEntries.Values
            .Where(e => e.Spec.WorkloadSelector is not null)
            .GroupBy(e => e.Key.Namespace, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var entry in _selectingEntries.GetValueOrDefault(ns) ?? [])
        {
            var selector = entry.Spec.WorkloadSelector!.Labels;
            if ((before is { } old && Selects(selector, old)) || (after is { } current && Selects(selector, current)))
            {
                var key = new ConfigKey(MeshServiceEntry.KindName, entry.Key);
                (entry.Spec.Resolution == ServiceEntryResolution.Static ? EndpointConfig : Config).Add(key);
            }
        }
    }

    /// <summary>Kubernetes Services with a VIP and a selector, in the entry's namespace, that select it before or after.</summary>
    private void KubernetesSelectionChanged(string ns, MeshWorkloadEntry? before, MeshWorkloadEntry? after)
    {
        foreach (var service in _services.Values)
        {
            if (service.Key.Namespace != ns || service.Selector.IsEmpty || service.Resolution != MeshResolution.ClientSideLb)
            {
                continue;
            }

            if ((before is { Spec.Labels.IsEmpty: false } && Selects(service.Selector, before.Spec.Labels)) ||
                (after is { Spec.Labels.IsEmpty: false } && Selects(service.Selector, after.Spec.Labels)))
            {
                ServiceEndpoints.Add(service.Key);
            }
        }
    }
}
