using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The endpoints of every service of the registry, as istiod 1.10's registries make them, and the
/// service ports served at each address. A ServiceEntry's endpoints are its inline endpoints, or for
/// a DNS entry without endpoints and selector its hosts themselves, or the WorkloadEntries (by their
/// spec labels) and ready Pods with an IP of its namespace its workloadSelector selects
/// (serviceentry <c>convertServiceEntryToInstances</c>, <c>convertWorkloadEntryToServiceInstances</c>,
/// <c>convertWorkloadInstanceToServiceInstance</c>). A Kubernetes Service with a VIP and a selector
/// also gets the WorkloadEntries of its namespace with an IP address whose labels it selects
/// (kube controller <c>serviceInstancesFromWorkloadInstances</c>). Memoized per snapshot; the
/// <see cref="HostEndpoints"/> it hands out keep their identity while their inputs do.
/// </summary>
public sealed class WorkloadIndex
{
    private static readonly SnapshotMemo<bool, WorkloadIndex> Memo = new((mesh, _) => new WorkloadIndex(mesh));
    private static readonly ConditionalWeakTable<HostService, HostEndpoints> Made = new();
    private static readonly ConditionalWeakTable<HostService, HostEndpoints> Merged = new();

    private readonly MeshSnapshot _mesh;
    private readonly Lazy<ILookup<string, MeshWorkloadEntry>> _entriesByNamespace;
    private readonly Lazy<ILookup<string, MeshPod>> _podsByNamespace;
    private readonly ConcurrentDictionary<HostService, HostEndpoints> _endpoints = new();
    private readonly ConcurrentDictionary<HostService, HostEndpoints> _merged = new();
    private readonly Lazy<AddressIndex> _byAddress;

    private WorkloadIndex(MeshSnapshot mesh)
    {
        _mesh = mesh;
        _entriesByNamespace = new(() => mesh.WorkloadEntries.Values.ToLookup(e => e.Key.Namespace, StringComparer.Ordinal));
        _podsByNamespace = new(() => mesh.Pods.Values.ToLookup(p => p.Key.Namespace, StringComparer.Ordinal));
        _byAddress = new(() => AddressIndex.Build(ServiceIndex.Of(mesh).All, EndpointsOf));
    }

    public static WorkloadIndex Of(MeshSnapshot mesh) => Memo.Get(mesh, true);

    /// <summary>The endpoints of <paramref name="service"/>: the same instance while its slices and selected workloads are the same instances.</summary>
    public HostEndpoints EndpointsOf(HostService service) => _endpoints.GetOrAdd(service, Make);

    /// <summary>
    /// The endpoints of <paramref name="service"/>'s host name in its namespace: istiod keeps
    /// endpoints per host name and namespace, so every service defining that host there (a
    /// Kubernetes Service and ServiceEntries, or several ServiceEntries) adds its own. Just
    /// <see cref="EndpointsOf"/> when the service is the host's only definition there.
    /// </summary>
    public HostEndpoints MergedEndpointsOf(HostService service)
    {
        var definitions = ServiceIndex.Of(_mesh).ByHost.GetValueOrDefault(service.Hostname);
        if (definitions.IsDefault || DefinitionsIn(definitions, service.Namespace) <= 1)
        {
            return EndpointsOf(service);
        }

        return Merge(service, definitions);
    }

    /// <summary>How many of <paramref name="definitions"/> are in <paramref name="ns"/> (a loop: this runs per service and namespace at every push).</summary>
    private static int DefinitionsIn(ImmutableArray<HostService> definitions, string ns)
    {
        var count = 0;
        foreach (var definition in definitions)
        {
            if (definition.Namespace == ns)
            {
                count++;
            }
        }

        return count;
    }

    private HostEndpoints Merge(HostService service, ImmutableArray<HostService> definitions)
    {
        return _merged.GetOrAdd(service, s =>
        {
            var parts = definitions.Where(d => d.Namespace == s.Namespace).Select(EndpointsOf).Distinct().ToList();
            var inputs = parts.Cast<object>().ToImmutableArray();
            if (Merged.TryGetValue(s, out var made) && made.Inputs.AsSpan().SequenceEqual(inputs.AsSpan(), ReferenceEqualityComparer.Instance))
            {
                return made;
            }

            var result = new HostEndpoints(
                parts.SelectMany(p => p.Slices).ToImmutableArray(),
                parts.SelectMany(p => p.Instances).ToImmutableArray(),
                inputs);
            Merged.AddOrUpdate(s, result);
            return result;
        });
    }

    /// <summary>
    /// The service ports the workload at <paramref name="address"/> serves, Kubernetes ones (from
    /// EndpointSlices and selected WorkloadEntries) first, then ServiceEntry ones; each list by
    /// workload port.
    /// </summary>
    public ImmutableArray<ProxyServiceInstance> InstancesAt(string address) => _byAddress.Value.At(address);

    private static bool Selects(IEnumerable<KeyValuePair<string, string>> selector, ValueMap<string> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private HostEndpoints Make(HostService service)
    {
        var slices = service.Service is { } kubernetes ? _mesh.SlicesOf(kubernetes.Key) : ImmutableArray<MeshEndpointSlice>.Empty;
        var entries = SelectedEntries(service);
        var pods = SelectedPods(service);
        ImmutableArray<object> inputs = [ImmutableCollectionsMarshal.AsArray(slices) ?? [], .. entries, .. pods];
        if (Made.TryGetValue(service, out var made) && made.Inputs.AsSpan().SequenceEqual(inputs.AsSpan(), ReferenceEqualityComparer.Instance))
        {
            return made;
        }

        var result = new HostEndpoints(slices, WorkloadInstances.Of(service, entries, pods), inputs);
        Made.AddOrUpdate(service, result);
        return result;
    }

    /// <summary>The WorkloadEntries a ServiceEntry's selector (by spec labels) or a Kubernetes Service's selector (entries with labels and an IP) selects, by key.</summary>
    private List<MeshWorkloadEntry> SelectedEntries(HostService service)
    {
        if (_mesh.WorkloadEntries.IsEmpty)
        {
            return [];
        }

        var candidates = _entriesByNamespace.Value[service.Namespace];
        if (service.ServiceEntry?.Spec.WorkloadSelector is { } selector)
        {
            return candidates.Where(e => Selects(selector.Labels, e.Spec.Labels)).ToList();
        }

        if (service.Service is { } kubernetes && !kubernetes.Selector.IsEmpty && service.Resolution == MeshResolution.ClientSideLb)
        {
            return candidates.Where(e => !e.Spec.Labels.IsEmpty && System.Net.IPAddress.TryParse(e.Spec.Address, out _) && Selects(kubernetes.Selector, e.Spec.Labels)).ToList();
        }

        return [];
    }

    /// <summary>The ready Pods with an IP a ServiceEntry's selector selects, by key.</summary>
    private List<MeshPod> SelectedPods(HostService service) =>
        service.ServiceEntry?.Spec.WorkloadSelector is { } selector
            ? _podsByNamespace.Value[service.Namespace].Where(p => p.Ready && !p.Ips.IsEmpty && Selects(selector.Labels, p.Labels)).ToList()
            : [];
}
