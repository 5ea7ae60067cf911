using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// An immutable view of the whole mesh. Objects that did not change between two snapshots are the
/// same instances, which lets generators memoize by reference.
/// </summary>
public sealed class MeshSnapshot
{
    private readonly Lazy<Dictionary<string, ImmutableArray<ServiceInstance>>> _instancesByAddress;

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
        _instancesByAddress = new Lazy<Dictionary<string, ImmutableArray<ServiceInstance>>>(IndexInstances);
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

    /// <summary>The service ports a workload with this IP serves: what its inbound config is made of.</summary>
    public ImmutableArray<ServiceInstance> InstancesAt(string address) =>
        _instancesByAddress.Value.TryGetValue(address, out var instances) ? instances : ImmutableArray<ServiceInstance>.Empty;

    // A plain dictionary, never changed once built (see WorkloadIndex.IndexAddresses): it is built for
    // each snapshot on the way to a push's first proxy. Most addresses serve one service port, which
    // needs neither de-duplication nor sorting.
    private Dictionary<string, ImmutableArray<ServiceInstance>> IndexInstances()
    {
        var index = new Dictionary<string, List<ServiceInstance>>(StringComparer.Ordinal);
        foreach (var (serviceKey, slices) in SlicesByService)
        {
            if (!Services.TryGetValue(serviceKey, out var service))
            {
                continue;
            }

            foreach (var slice in slices)
            {
                foreach (var endpoint in slice.Endpoints)
                {
                    foreach (var address in endpoint.Addresses)
                    {
                        foreach (var port in service.Ports)
                        {
                            var endpointPort = EndpointPorts.Resolve(port, slice);
                            if (endpointPort is null)
                            {
                                continue;
                            }

                            if (!index.TryGetValue(address, out var list))
                            {
                                index[address] = list = new List<ServiceInstance>();
                            }

                            list.Add(new ServiceInstance(service, port, endpointPort.Value));
                        }
                    }
                }
            }
        }

        return index.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.Count == 1 ? ImmutableArray.Create(pair.Value[0]) : pair.Value.Distinct().OrderBy(i => i.EndpointPort).ThenBy(i => i.Service.Key).ToImmutableArray(),
            StringComparer.Ordinal);
    }
}

/// <summary>One service port served by one workload, on the workload's own port.</summary>
public sealed record ServiceInstance(MeshService Service, MeshServicePort Port, int EndpointPort);
