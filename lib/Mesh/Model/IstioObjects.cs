using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// The Istio networking objects of a snapshot, per kind, ordered by key, and the control plane's own
/// traffic kinds (mesh.controlplane.io InterfaceOutlierDetection), which are stored and changed the
/// same way.
/// </summary>
public sealed record IstioObjects(
    ImmutableSortedDictionary<ObjectKey, MeshVirtualService> VirtualServices,
    ImmutableSortedDictionary<ObjectKey, MeshDestinationRule> DestinationRules,
    ImmutableSortedDictionary<ObjectKey, MeshServiceEntry> ServiceEntries,
    ImmutableSortedDictionary<ObjectKey, MeshWorkloadEntry> WorkloadEntries,
    ImmutableSortedDictionary<ObjectKey, MeshGateway> Gateways,
    ImmutableSortedDictionary<ObjectKey, MeshSidecar> Sidecars)
{
    /// <summary>InterfaceOutlierDetections (mesh.controlplane.io), by key; none by default.</summary>
    public ImmutableSortedDictionary<ObjectKey, MeshInterfaceOutlierDetection> InterfaceOutlierDetections { get; init; } =
        ImmutableSortedDictionary<ObjectKey, MeshInterfaceOutlierDetection>.Empty;

    /// <summary>The kinds held here, by their Kubernetes kind names.</summary>
    public static IReadOnlySet<string> Kinds { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        MeshVirtualService.KindName, MeshDestinationRule.KindName, MeshServiceEntry.KindName,
        MeshWorkloadEntry.KindName, MeshGateway.KindName, MeshSidecar.KindName, MeshInterfaceOutlierDetection.KindName,
    };

    public static IstioObjects Empty { get; } = new(
        ImmutableSortedDictionary<ObjectKey, MeshVirtualService>.Empty,
        ImmutableSortedDictionary<ObjectKey, MeshDestinationRule>.Empty,
        ImmutableSortedDictionary<ObjectKey, MeshServiceEntry>.Empty,
        ImmutableSortedDictionary<ObjectKey, MeshWorkloadEntry>.Empty,
        ImmutableSortedDictionary<ObjectKey, MeshGateway>.Empty,
        ImmutableSortedDictionary<ObjectKey, MeshSidecar>.Empty);

    /// <summary>The object of this kind and key, or null.</summary>
    public MeshIstioObject? Find(string kind, ObjectKey key) => kind switch
    {
        MeshVirtualService.KindName => VirtualServices.GetValueOrDefault(key),
        MeshDestinationRule.KindName => DestinationRules.GetValueOrDefault(key),
        MeshServiceEntry.KindName => ServiceEntries.GetValueOrDefault(key),
        MeshWorkloadEntry.KindName => WorkloadEntries.GetValueOrDefault(key),
        MeshGateway.KindName => Gateways.GetValueOrDefault(key),
        MeshSidecar.KindName => Sidecars.GetValueOrDefault(key),
        MeshInterfaceOutlierDetection.KindName => InterfaceOutlierDetections.GetValueOrDefault(key),
        _ => throw new ArgumentException($"{kind} is not an Istio networking kind", nameof(kind)),
    };

    /// <summary>This set with <paramref name="obj"/> put in its kind's place (or the key of that kind removed when null).</summary>
    public IstioObjects With(string kind, ObjectKey key, MeshIstioObject? obj) => kind switch
    {
        MeshVirtualService.KindName => this with { VirtualServices = Set(VirtualServices, key, obj) },
        MeshDestinationRule.KindName => this with { DestinationRules = Set(DestinationRules, key, obj) },
        MeshServiceEntry.KindName => this with { ServiceEntries = Set(ServiceEntries, key, obj) },
        MeshWorkloadEntry.KindName => this with { WorkloadEntries = Set(WorkloadEntries, key, obj) },
        MeshGateway.KindName => this with { Gateways = Set(Gateways, key, obj) },
        MeshSidecar.KindName => this with { Sidecars = Set(Sidecars, key, obj) },
        MeshInterfaceOutlierDetection.KindName => this with { InterfaceOutlierDetections = Set(InterfaceOutlierDetections, key, obj) },
        _ => throw new ArgumentException($"{kind} is not an Istio networking kind", nameof(kind)),
    };

    private static ImmutableSortedDictionary<ObjectKey, T> Set<T>(ImmutableSortedDictionary<ObjectKey, T> map, ObjectKey key, MeshIstioObject? obj)
        where T : MeshIstioObject => obj is T typed ? map.SetItem(key, typed) : map.Remove(key);
}
