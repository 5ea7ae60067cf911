using System.Collections.Concurrent;
using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Which outbound listeners a sidecar gets, and which service ports go into each, keyed by the
/// address and port the listener stands for (istiod 1.10's <c>buildSidecarOutboundListeners</c>
/// for the catch-all egress listener): HTTP ports on the proxy's wildcard address; TCP and sniffed
/// ports on the service's address (a VIP, or 0.0.0.0 for ExternalName services and DNS or STATIC
/// ServiceEntries without one), on the proxy's wildcard address for a CIDR (matching the range),
/// and for headless services and NONE ServiceEntries on every endpoint IP (a NONE entry with no
/// endpoints and no selector on 0.0.0.0). Contributions are in the order of the services proxies
/// see (a <see cref="ServiceScope"/>), the order conflicts are resolved in.
/// </summary>
internal sealed class OutboundListenerPlan
{
    /// <summary>Contributions in service order; a null bind is the proxy's wildcard address.</summary>
    private readonly ImmutableArray<(string? Bind, ListenerContribution Contribution)> _contributions;
    private readonly ConcurrentDictionary<string, ImmutableSortedDictionary<(string Bind, int Port), ImmutableArray<ListenerContribution>>> _byWildcard = new(StringComparer.Ordinal);

    /// <param name="services">The services, in the order proxies see them.</param>
    public OutboundListenerPlan(MeshSnapshot mesh, IEnumerable<HostService> services)
    {
        var workloads = WorkloadIndex.Of(mesh);
        var contributions = ImmutableArray.CreateBuilder<(string?, ListenerContribution)>();
        foreach (var service in services)
        {
            foreach (var port in service.Ports)
            {
                var protocol = port.Protocol.ForListener();
                if (protocol == ListenerProtocol.None)
                {
                    continue;
                }

                var contribution = new ListenerContribution(service, port, protocol);
                if (protocol == ListenerProtocol.Http)
                {
                    contributions.Add((null, contribution));
                }
                else if (service.Resolution == MeshResolution.Passthrough && service.Address is null)
                {
                    foreach (var address in PassthroughBinds(mesh, workloads, service, port))
                    {
                        contributions.Add((address, contribution));
                    }
                }
                else if (service.Address is { } address && !service.HasSingleAddress)
                {
                    contributions.Add((null, contribution with { DestinationCidr = address }));
                }
                else
                {
                    contributions.Add((service.Address ?? MeshNames.UnspecifiedAddress, contribution));
                }
            }
        }

        _contributions = contributions.ToImmutable();
    }

    /// <summary>The names of the "HOST:PORT" routes sniffed ports may ask for.</summary>
    public IEnumerable<string> SniffedRoutes =>
        _contributions.Where(c => c.Contribution.Protocol == ListenerProtocol.Auto)
            .Select(c => MeshNames.SniffedRoute(c.Contribution.Service.Hostname, c.Contribution.Port.Port));

    /// <summary>
    /// The listeners of a proxy whose wildcard address is <paramref name="wildcard"/> (0.0.0.0 or
    /// ::), by bind address and port: an ExternalName service's TCP port on 0.0.0.0 shares the
    /// HTTP listener of its port on an IPv4 proxy, as in istiod.
    /// </summary>
    public ImmutableSortedDictionary<(string Bind, int Port), ImmutableArray<ListenerContribution>> For(string wildcard) =>
        _byWildcard.GetOrAdd(wildcard, w => _contributions
            .GroupBy(c => (Bind: c.Bind ?? w, c.Contribution.Port.Port))
            .ToImmutableSortedDictionary(g => g.Key, g => g.Select(c => c.Contribution).ToImmutableArray(), ListenerKeyComparer.Instance));

    /// <summary>
    /// Where a passthrough service port's listeners bind: for a headless Kubernetes service every
    /// address of every endpoint serving the port, ready or not, as istiod's ServiceInstancesByPort
    /// lists them (a pod that is starting already gets its listener); for a NONE ServiceEntry every
    /// endpoint IP, or 0.0.0.0 when it has no endpoints and no selector (istiod's fallback to a
    /// wildcard listener; with a selector it waits for endpoints).
    /// </summary>
    private static IEnumerable<string> PassthroughBinds(MeshSnapshot mesh, WorkloadIndex workloads, HostService service, MeshServicePort port)
    {
        if (service.Service is { } kubernetes)
        {
            return mesh.SlicesOf(kubernetes.Key)
                .Where(slice => EndpointPorts.Resolve(port, slice) is not null)
                .SelectMany(slice => slice.Endpoints)
                .SelectMany(endpoint => endpoint.Addresses);
        }

        var instances = workloads.MergedEndpointsOf(service).InstancesOf(port).ToList();
        return instances.Count == 0 && service.ServiceEntry?.Spec.WorkloadSelector is null
            ? [MeshNames.UnspecifiedAddress]
            : instances.Where(i => i.IsIp).Select(i => i.Address);
    }

    private sealed class ListenerKeyComparer : IComparer<(string Bind, int Port)>
    {
        public static readonly ListenerKeyComparer Instance = new();

        public int Compare((string Bind, int Port) x, (string Bind, int Port) y)
        {
            var byBind = string.CompareOrdinal(x.Bind, y.Bind);
            return byBind != 0 ? byBind : x.Port.CompareTo(y.Port);
        }
    }
}
