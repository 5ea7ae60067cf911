using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds EDS resources: the ready endpoints of a service port, grouped by locality.</summary>
public static class EndpointBuilder
{
    /// <summary>The assignment of one service port: its ready endpoints, every one with weight 1.</summary>
    /// <param name="oneLocality">
    /// Put every endpoint in one locality (with no zone) instead of one locality per zone. MOSN's
    /// istio-1.10 converter replaces a cluster's hosts once per locality, so of several it keeps
    /// only the last; in one locality it keeps them all, with the same per-host weights.
    /// </param>
    public static ClusterLoadAssignment Build(HostService service, MeshServicePort port, ImmutableArray<MeshEndpointSlice> slices, bool oneLocality = false)
    {
        var byZone = new SortedDictionary<string, SortedSet<(string Address, int Port)>>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            var endpointPort = EndpointPorts.Resolve(port, slice);
            if (endpointPort is null)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints)
            {
                // Istio 1.10 leaves not-ready endpoints out instead of sending them as unhealthy.
                if (!endpoint.Ready)
                {
                    continue;
                }

                if (!byZone.TryGetValue(endpoint.Zone, out var addresses))
                {
                    byZone[endpoint.Zone] = addresses = new SortedSet<(string, int)>();
                }

                // Kubernetes: an endpoint's addresses are interchangeable; the first is the one to use.
                addresses.Add((endpoint.Addresses[0], endpointPort.Value));
            }
        }

        var assignment = new ClusterLoadAssignment { ClusterName = MeshNames.OutboundCluster(port.Port, service.Hostname) };
        if (oneLocality)
        {
            var all = byZone.Values.SelectMany(addresses => addresses).ToList();
            if (all.Count > 0)
            {
                assignment.Endpoints.Add(Locality(new Locality(), all));
            }

            return assignment;
        }

        foreach (var (zone, addresses) in byZone)
        {
            assignment.Endpoints.Add(Locality(new Locality { Zone = zone }, addresses));
        }

        return assignment;
    }

    /// <summary>Locality and its weight (the sum of its endpoints' weights, as istiod) are always set: proxyless gRPC drops localities without them.</summary>
    private static LocalityLbEndpoints Locality(Locality where, IReadOnlyCollection<(string Address, int Port)> addresses)
    {
        var locality = new LocalityLbEndpoints
        {
            Locality = where,
            LoadBalancingWeight = (uint)addresses.Count,
        };
        foreach (var (address, endpointPort) in addresses)
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint { Address = EnvoyDefaults.SocketAddress(address, endpointPort) },
                HealthStatus = HealthStatus.Healthy,
                LoadBalancingWeight = 1,
            });
        }

        return locality;
    }
}
