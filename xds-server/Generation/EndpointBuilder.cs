using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds EDS resources: the ready endpoints of a service port, grouped by locality.</summary>
public static class EndpointBuilder
{
    public static ClusterLoadAssignment Build(MeshService service, MeshServicePort port, ImmutableArray<MeshEndpointSlice> slices)
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
        foreach (var (zone, addresses) in byZone)
        {
            // Locality and its weight are always set: proxyless gRPC drops localities without them.
            var locality = new LocalityLbEndpoints
            {
                Locality = new Locality { Zone = zone },
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

            assignment.Endpoints.Add(locality);
        }

        return assignment;
    }
}
