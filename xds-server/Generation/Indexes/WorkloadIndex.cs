using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

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
    /// <summary>The pod label that gives a pod's locality (region/zone/subzone, or dots for slashes).</summary>
    public const string LocalityLabel = "istio-locality";

    private const string UnixAddressPrefix = "unix://";

    private static readonly SnapshotMemo<bool, WorkloadIndex> Memo = new((mesh, _) => new WorkloadIndex(mesh));
    private static readonly ConditionalWeakTable<HostService, HostEndpoints> Made = new();
    private static readonly ConditionalWeakTable<HostService, HostEndpoints> Merged = new();

    private readonly MeshSnapshot _mesh;
    private readonly Lazy<ILookup<string, MeshWorkloadEntry>> _entriesByNamespace;
    private readonly Lazy<ILookup<string, MeshPod>> _podsByNamespace;
    private readonly ConcurrentDictionary<HostService, HostEndpoints> _endpoints = new();
    private readonly ConcurrentDictionary<HostService, HostEndpoints> _merged = new();
    private readonly Lazy<ImmutableDictionary<string, ImmutableArray<ProxyServiceInstance>>> _byAddress;

    private WorkloadIndex(MeshSnapshot mesh)
    {
        _mesh = mesh;
        _entriesByNamespace = new(() => mesh.WorkloadEntries.Values.ToLookup(e => e.Key.Namespace, StringComparer.Ordinal));
        _podsByNamespace = new(() => mesh.Pods.Values.ToLookup(p => p.Key.Namespace, StringComparer.Ordinal));
        _byAddress = new(IndexAddresses);
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
        if (definitions.IsDefault || definitions.Count(d => d.Namespace == service.Namespace) <= 1)
        {
            return EndpointsOf(service);
        }

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
    public ImmutableArray<ProxyServiceInstance> InstancesAt(string address) =>
        _byAddress.Value.TryGetValue(address, out var instances) ? instances : ImmutableArray<ProxyServiceInstance>.Empty;

    /// <summary>istiod's GetLocalityLabelOrDefault on a pod's istio-locality label: dots stand for slashes unless it has slashes.</summary>
    public static string PodLocality(MeshPod pod) =>
        pod.Labels.TryGetValue(LocalityLabel, out var label) && label.Length > 0
            ? label.Contains('/', StringComparison.Ordinal) ? label : label.Replace('.', '/')
            : string.Empty;

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

        var result = new HostEndpoints(slices, Instances(service, entries, pods), inputs);
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

    private static ImmutableArray<WorkloadInstance> Instances(HostService service, List<MeshWorkloadEntry> entries, List<MeshPod> pods)
    {
        var instances = ImmutableArray.CreateBuilder<WorkloadInstance>();
        if (service.ServiceEntry is { } entry)
        {
            var spec = entry.Spec;
            foreach (var port in spec.Ports)
            {
                var servicePort = (int)(port.TargetPort > 0 ? port.TargetPort : port.Number);
                if (spec.Resolution == ServiceEntryResolution.Dns && spec.Endpoints.IsEmpty && spec.WorkloadSelector is null)
                {
                    // A DNS entry without endpoints resolves its own host.
                    instances.Add(new WorkloadInstance(service.Hostname, servicePort, port.Name, ValueMap<string>.Empty, string.Empty, 0, null, null, null));
                    continue;
                }

                instances.AddRange(spec.Endpoints.Select(e => FromWorkloadEntry(e, port, null)));
                instances.AddRange(entries.Select(e => FromWorkloadEntry(e.Spec, port, e)));
                instances.AddRange(pods.Select(p => new WorkloadInstance(p.Ips[0], servicePort, port.Name, p.Labels, PodLocality(p), 0, null, null, p)));
            }
        }
        else if (service.Service is { } kubernetes)
        {
            foreach (var port in kubernetes.Ports)
            {
                if (kubernetes.ExternalName is { } externalName && service.Resolution == MeshResolution.DnsLb)
                {
                    // istiod's ExternalNameServiceInstances: the external name, on the service port.
                    instances.Add(new WorkloadInstance(externalName, port.Port, port.Name, ValueMap<string>.Empty, string.Empty, 0, null, null, null));
                    continue;
                }

                if (port.Protocol == MeshProtocol.Udp)
                {
                    continue;
                }

                foreach (var workload in entries)
                {
                    if (KubernetesTargetPort(port, workload.Spec) is { } target)
                    {
                        var spec = workload.Spec;
                        instances.Add(new WorkloadInstance(spec.Address, target, port.Name, spec.Labels, spec.Locality ?? string.Empty, spec.Weight, spec.Network, spec.ServiceAccount, workload));
                    }
                }
            }
        }

        return instances.ToImmutable();
    }

    /// <summary>
    /// istiod's convertEndpoint: a Unix socket has port 0; else the endpoint's port for the
    /// service port's name (the service port when it names none), else the targetPort, else the
    /// service port.
    /// </summary>
    private static WorkloadInstance FromWorkloadEntry(WorkloadEntry endpoint, Port port, MeshObject? source)
    {
        var address = endpoint.Address;
        int endpointPort;
        if (address.StartsWith(UnixAddressPrefix, StringComparison.Ordinal))
        {
            address = address[UnixAddressPrefix.Length..];
            endpointPort = 0;
        }
        else if (!endpoint.Ports.IsEmpty)
        {
            endpointPort = (int)(endpoint.Ports.TryGetValue(port.Name, out var mapped) && mapped > 0 ? mapped : port.Number);
        }
        else
        {
            endpointPort = (int)(port.TargetPort > 0 ? port.TargetPort : port.Number);
        }

        return new WorkloadInstance(address, endpointPort, port.Name, endpoint.Labels, endpoint.Locality ?? string.Empty, endpoint.Weight, endpoint.Network, endpoint.ServiceAccount, source);
    }

    /// <summary>
    /// The port a WorkloadEntry serves a Kubernetes Service port on (istiod's findServiceTargetPort):
    /// a numeric targetPort as is, a named one from the entry's ports (none: the entry is no
    /// endpoint of it), none at all the service port.
    /// </summary>
    private static int? KubernetesTargetPort(MeshServicePort port, WorkloadEntry entry)
    {
        if (port.TargetPort is null)
        {
            return port.Port;
        }

        if (int.TryParse(port.TargetPort, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number > 0 ? number : port.Port;
        }

        return entry.Ports.TryGetValue(port.TargetPort, out var named) && named > 0 ? (int)named : null;
    }

    private ImmutableDictionary<string, ImmutableArray<ProxyServiceInstance>> IndexAddresses()
    {
        var registry = ServiceIndex.Of(_mesh);
        var kubernetes = new Dictionary<MeshService, HostService>(ReferenceEqualityComparer.Instance);
        foreach (var service in registry.All)
        {
            if (service.Service is { } definition)
            {
                kubernetes[definition] = service;
            }
        }

        var byAddress = new Dictionary<string, List<ProxyServiceInstance>>(StringComparer.Ordinal);
        void Add(string address, ProxyServiceInstance instance)
        {
            if (!byAddress.TryGetValue(address, out var list))
            {
                byAddress[address] = list = new List<ProxyServiceInstance>();
            }

            list.Add(instance);
        }

        var extra = new List<(string Address, ProxyServiceInstance Instance)>();
        foreach (var service in registry.All)
        {
            foreach (var instance in EndpointsOf(service).Instances)
            {
                if (instance.IsIp && service.Ports.FirstOrDefault(p => p.Name == instance.ServicePortName) is { } port)
                {
                    extra.Add((instance.Address, new ProxyServiceInstance(service, port, instance.EndpointPort)));
                }
            }
        }

        foreach (var address in _mesh.SlicesByService.Values.SelectMany(slices => slices).SelectMany(s => s.Endpoints).SelectMany(e => e.Addresses).Concat(extra.Select(e => e.Address)).Distinct(StringComparer.Ordinal))
        {
            foreach (var instance in _mesh.InstancesAt(address))
            {
                if (kubernetes.TryGetValue(instance.Service, out var service))
                {
                    Add(address, new ProxyServiceInstance(service, instance.Port, instance.EndpointPort));
                }
            }
        }

        // Kubernetes registry first (slices, then the WorkloadEntries its Services select), then ServiceEntries, as istiod aggregates registries.
        foreach (var (address, instance) in extra.OrderBy(e => e.Instance.Service.IsKubernetes ? 0 : 1).ThenBy(e => e.Instance.EndpointPort))
        {
            Add(address, instance);
        }

        return byAddress.ToImmutableDictionary(pair => pair.Key, pair => pair.Value.Distinct().ToImmutableArray(), StringComparer.Ordinal);
    }
}
