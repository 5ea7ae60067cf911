using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The service ports served at each workload address (what <see cref="WorkloadIndex.InstancesAt"/>
/// answers), kept per service. An index for a new snapshot is made from the last one built: only
/// the addresses of services whose <see cref="HostEndpoints"/> (or definition) changed are
/// re-indexed, so an endpoint change costs the addresses it touches, not every address of the mesh.
/// Rebuilding every address per snapshot allocated ~20 MB per endpoint push at 5,000 endpoints,
/// large arrays included, whose collections (a background gen2 among them) delayed the push.
/// Correct from any earlier index, whichever mesh it was built for; only its cost depends on it.
/// </summary>
internal sealed class AddressIndex
{
    private static AddressIndex? s_latest;

    private readonly ImmutableDictionary<HostService, Contribution> _byService;
    private readonly ImmutableDictionary<string, AddressInstances> _byAddress;

    private AddressIndex(ImmutableDictionary<HostService, Contribution> byService, ImmutableDictionary<string, AddressInstances> byAddress)
    {
        _byService = byService;
        _byAddress = byAddress;
    }

    /// <summary>An index of no services.</summary>
    public static AddressIndex Empty { get; } = new(
        ImmutableDictionary.Create<HostService, Contribution>(ReferenceEqualityComparer.Instance),
        ImmutableDictionary.Create<string, AddressInstances>(StringComparer.Ordinal));

    /// <summary>
    /// The index of <paramref name="registry"/> (a <see cref="ServiceIndex.All"/>, in its order),
    /// made from the last index this process built, which it then replaces.
    /// </summary>
    /// <param name="endpointsOf">Each service's endpoints: the same instance while they are unchanged, as <see cref="WorkloadIndex.EndpointsOf"/> hands them out.</param>
    public static AddressIndex Build(ImmutableArray<HostService> registry, Func<HostService, HostEndpoints> endpointsOf)
    {
        var built = (Volatile.Read(ref s_latest) ?? Empty).With(registry, endpointsOf);
        Volatile.Write(ref s_latest, built);
        return built;
    }

    /// <summary>
    /// The service ports the workload at <paramref name="address"/> serves: Kubernetes ones from
    /// EndpointSlices first (by workload port, then service key), then those of WorkloadEntries,
    /// Pods and ServiceEntry endpoints, Kubernetes registry first, each by workload port in registry
    /// order (as istiod aggregates its registries); no duplicates.
    /// </summary>
    public ImmutableArray<ProxyServiceInstance> At(string address) =>
        _byAddress.TryGetValue(address, out var instances) ? instances.Instances : ImmutableArray<ProxyServiceInstance>.Empty;

    /// <summary>This index brought to <paramref name="registry"/>: services with the same endpoints keep their entries.</summary>
    public AddressIndex With(ImmutableArray<HostService> registry, Func<HostService, HostEndpoints> endpointsOf)
    {
        var services = _byService.ToBuilder();
        var leaving = new HashSet<HostService>(ReferenceEqualityComparer.Instance);
        var arriving = new Dictionary<string, List<AddressEntry>>(StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in registry)
        {
            var endpoints = endpointsOf(service);
            if (services.TryGetValue(service, out var old))
            {
                if (ReferenceEquals(old.Endpoints, endpoints))
                {
                    continue;
                }

                Leave(old, service, leaving, touched);
            }

            var made = Contribution.Of(service, endpoints);
            services[service] = made;
            foreach (var (address, entry) in made.Entries)
            {
                touched.Add(address);
                if (!arriving.TryGetValue(address, out var list))
                {
                    arriving[address] = list = [];
                }

                list.Add(entry);
            }
        }

        if (services.Count != registry.Length)
        {
            var current = new HashSet<HostService>(registry, ReferenceEqualityComparer.Instance);
            foreach (var (service, old) in _byService)
            {
                if (!current.Contains(service))
                {
                    Leave(old, service, leaving, touched);
                    services.Remove(service);
                }
            }
        }

        if (touched.Count == 0)
        {
            // A service may have changed endpoints without any address (none before or after): keep its new ones.
            return new AddressIndex(services.ToImmutable(), _byAddress);
        }

        var positions = new Lazy<Dictionary<HostService, int>>(() => Positions(registry));
        var addresses = _byAddress.ToBuilder();
        foreach (var address in touched)
        {
            var entries = new List<AddressEntry>();
            if (_byAddress.TryGetValue(address, out var before))
            {
                foreach (var entry in before.Entries)
                {
                    if (!leaving.Contains(entry.Instance.Service))
                    {
                        entries.Add(entry);
                    }
                }
            }

            if (arriving.TryGetValue(address, out var added))
            {
                entries.AddRange(added);
            }

            if (entries.Count == 0)
            {
                addresses.Remove(address);
            }
            else
            {
                addresses[address] = AddressInstances.Of(entries, positions);
            }
        }

        return new AddressIndex(services.ToImmutable(), addresses.ToImmutable());
    }

    private static void Leave(Contribution old, HostService service, HashSet<HostService> leaving, HashSet<string> touched)
    {
        leaving.Add(service);
        foreach (var (address, _) in old.Entries)
        {
            touched.Add(address);
        }
    }

    private static Dictionary<HostService, int> Positions(ImmutableArray<HostService> registry)
    {
        var positions = new Dictionary<HostService, int>(registry.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < registry.Length; i++)
        {
            positions[registry[i]] = i;
        }

        return positions;
    }

    /// <summary>One service port at one address, with what orders it among the others there.</summary>
    /// <param name="Group">0 from an EndpointSlice, 1 another instance of a Kubernetes Service, 2 a ServiceEntry's.</param>
    /// <param name="Sequence">Its place among its service's entries, in source order.</param>
    private readonly record struct AddressEntry(ProxyServiceInstance Instance, int Group, int Sequence);

    /// <summary>What one service puts at its addresses, made from one <see cref="HostEndpoints"/>.</summary>
    private sealed class Contribution(HostEndpoints endpoints, ImmutableArray<(string Address, AddressEntry Entry)> entries)
    {
        public HostEndpoints Endpoints { get; } = endpoints;

        public ImmutableArray<(string Address, AddressEntry Entry)> Entries { get; } = entries;

        public static Contribution Of(HostService service, HostEndpoints endpoints)
        {
            var entries = ImmutableArray.CreateBuilder<(string, AddressEntry)>();
            if (service.Service is { } kubernetes)
            {
                foreach (var slice in endpoints.Slices)
                {
                    foreach (var endpoint in slice.Endpoints)
                    {
                        foreach (var address in endpoint.Addresses)
                        {
                            foreach (var port in kubernetes.Ports)
                            {
                                if (EndpointPorts.Resolve(port, slice) is { } endpointPort)
                                {
                                    entries.Add((address, new AddressEntry(new ProxyServiceInstance(service, port, endpointPort), 0, entries.Count)));
                                }
                            }
                        }
                    }
                }
            }

            foreach (var instance in endpoints.Instances)
            {
                if (instance.IsIp && FindPort(service, instance.ServicePortName) is { } port)
                {
                    var group = service.IsKubernetes ? 1 : 2;
                    entries.Add((instance.Address, new AddressEntry(new ProxyServiceInstance(service, port, instance.EndpointPort, instance.Locality), group, entries.Count)));
                }
            }

            return new Contribution(endpoints, entries.ToImmutable());
        }

        private static MeshServicePort? FindPort(HostService service, string name)
        {
            foreach (var port in service.Ports)
            {
                if (port.Name == name)
                {
                    return port;
                }
            }

            return null;
        }
    }

    /// <summary>The entries at one address, in order, and their distinct instances.</summary>
    private sealed class AddressInstances(ImmutableArray<AddressEntry> entries, ImmutableArray<ProxyServiceInstance> instances)
    {
        public ImmutableArray<AddressEntry> Entries { get; } = entries;

        public ImmutableArray<ProxyServiceInstance> Instances { get; } = instances;

        public static AddressInstances Of(List<AddressEntry> entries, Lazy<Dictionary<HostService, int>> positions)
        {
            if (entries.Count == 1)
            {
                return new AddressInstances([entries[0]], [entries[0].Instance]);
            }

            // Slice instances by workload port then service key; the others by group, workload port, then registry order.
            entries.Sort((a, b) =>
            {
                var order = a.Group.CompareTo(b.Group);
                if (order == 0)
                {
                    order = a.Instance.EndpointPort.CompareTo(b.Instance.EndpointPort);
                }

                if (order == 0 && !ReferenceEquals(a.Instance.Service, b.Instance.Service))
                {
                    order = a.Group == 0
                        ? a.Instance.Service.Service!.Key.CompareTo(b.Instance.Service.Service!.Key)
                        : positions.Value[a.Instance.Service].CompareTo(positions.Value[b.Instance.Service]);
                }

                return order != 0 ? order : a.Sequence.CompareTo(b.Sequence);
            });
            return new AddressInstances([.. entries], [.. entries.Select(e => e.Instance).Distinct()]);
        }
    }
}
