using System.Collections.Concurrent;
using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Which outbound listeners a sidecar gets, and which service ports go into each, keyed by the
/// address and port the listener stands for (istiod 1.10's <c>buildSidecarOutboundListeners</c>
/// for the catch-all egress listener): HTTP ports on the proxy's wildcard address; TCP and sniffed
/// ports on the service VIP, on 0.0.0.0 for an ExternalName service, and on every pod IP of a
/// headless service. Contributions are in the order of the services proxies see (a
/// <see cref="ServiceScope"/>), the order conflicts are resolved in.
/// </summary>
internal sealed class OutboundListenerPlan
{
    /// <summary>Contributions in service order; a null bind is the proxy's wildcard address.</summary>
    private readonly ImmutableArray<(string? Bind, ListenerContribution Contribution)> _contributions;
    private readonly ConcurrentDictionary<string, ImmutableSortedDictionary<(string Bind, int Port), ImmutableArray<ListenerContribution>>> _byWildcard = new(StringComparer.Ordinal);

    /// <param name="services">The services, in the order proxies see them.</param>
    public OutboundListenerPlan(MeshSnapshot mesh, IEnumerable<HostService> services)
    {
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

                if (protocol == ListenerProtocol.Http)
                {
                    contributions.Add((null, new ListenerContribution(service, port, protocol)));
                }
                else if (service.Resolution == MeshResolution.Passthrough && service.Service is { } kubernetes)
                {
                    foreach (var address in EndpointAddresses(mesh.SlicesOf(kubernetes.Key), port))
                    {
                        contributions.Add((address, new ListenerContribution(service, port, protocol)));
                    }
                }
                else
                {
                    contributions.Add((service.Address ?? MeshNames.UnspecifiedAddress, new ListenerContribution(service, port, protocol)));
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
    /// Every address of every endpoint serving <paramref name="port"/>, ready or not, as istiod's
    /// ServiceInstancesByPort lists them: a pod that is starting already gets its listener.
    /// </summary>
    private static IEnumerable<string> EndpointAddresses(ImmutableArray<MeshEndpointSlice> slices, MeshServicePort port) =>
        slices.Where(slice => EndpointPorts.Resolve(port, slice) is not null)
            .SelectMany(slice => slice.Endpoints)
            .SelectMany(endpoint => endpoint.Addresses);

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
