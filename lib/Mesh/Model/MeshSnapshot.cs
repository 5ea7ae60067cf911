using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// An immutable view of the whole mesh. Objects that did not change between two snapshots are the
/// same instances, which lets generators memoize by reference.
/// </summary>
public sealed class MeshSnapshot
{
    /// <param name="istio">The Istio networking objects; none when null.</param>
    /// <param name="pods">Pods by key; none when null.</param>
    public MeshSnapshot(
        long version,
        ImmutableSortedDictionary<ObjectKey, MeshService> services,
        ImmutableDictionary<ObjectKey, ImmutableArray<MeshEndpointSlice>> slicesByService,
        IstioObjects? istio = null,
        ImmutableSortedDictionary<ObjectKey, MeshPod>? pods = null)
    {
        Version = version;
        Services = services;
        SlicesByService = slicesByService;
        Istio = istio ?? IstioObjects.Empty;
        Pods = pods ?? ImmutableSortedDictionary<ObjectKey, MeshPod>.Empty;
    }

    public static MeshSnapshot Empty { get; } = new(
        0,
        ImmutableSortedDictionary<ObjectKey, MeshService>.Empty,
        ImmutableDictionary<ObjectKey, ImmutableArray<MeshEndpointSlice>>.Empty);

    public long Version { get; }

    public ImmutableSortedDictionary<ObjectKey, MeshService> Services { get; }

    /// <summary>EndpointSlices per service key, ordered by slice name.</summary>
    public ImmutableDictionary<ObjectKey, ImmutableArray<MeshEndpointSlice>> SlicesByService { get; }

    /// <summary>The Istio networking objects, per kind, ordered by key.</summary>
    public IstioObjects Istio { get; }

    public ImmutableSortedDictionary<ObjectKey, MeshVirtualService> VirtualServices => Istio.VirtualServices;

    public ImmutableSortedDictionary<ObjectKey, MeshDestinationRule> DestinationRules => Istio.DestinationRules;

    public ImmutableSortedDictionary<ObjectKey, MeshServiceEntry> ServiceEntries => Istio.ServiceEntries;

    public ImmutableSortedDictionary<ObjectKey, MeshWorkloadEntry> WorkloadEntries => Istio.WorkloadEntries;

    public ImmutableSortedDictionary<ObjectKey, MeshGateway> Gateways => Istio.Gateways;

    public ImmutableSortedDictionary<ObjectKey, MeshSidecar> Sidecars => Istio.Sidecars;

    /// <summary>The control plane's own InterfaceOutlierDetections (mesh.controlplane.io), by key.</summary>
    public ImmutableSortedDictionary<ObjectKey, MeshInterfaceOutlierDetection> InterfaceOutlierDetections => Istio.InterfaceOutlierDetections;

    /// <summary>Pods by key (namespace/name): what EndpointSlice endpoints' <see cref="SliceEndpoint.PodName"/> refer to.</summary>
    public ImmutableSortedDictionary<ObjectKey, MeshPod> Pods { get; }

    public ImmutableArray<MeshEndpointSlice> SlicesOf(ObjectKey service) =>
        SlicesByService.TryGetValue(service, out var slices) ? slices : ImmutableArray<MeshEndpointSlice>.Empty;
}
