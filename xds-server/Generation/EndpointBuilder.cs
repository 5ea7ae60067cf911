using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds EDS resources: the ready endpoints of a service port (or of a subset of them), grouped by locality, every one with weight 1.</summary>
public static class EndpointBuilder
{
    /// <summary>
    /// The assignment of cluster <paramref name="clusterName"/> (a service port's, or one of its
    /// subsets'), as istiod 1.10's EDS builds it: the ready endpoints whose Pod's labels include all
    /// of <paramref name="subsetLabels"/> (all of them when null), grouped by locality (the Pod's
    /// <c>istio-locality</c> label, else the slice's zone), localities and endpoints in a stable order.
    /// </summary>
    /// <param name="endpoints">Every endpoint of the service with its slice and the Pod it names (null when unknown).</param>
    /// <param name="oneLocality">
    /// Put every endpoint in one locality (with no zone) instead of one locality per zone. MOSN's
    /// istio-1.10 converter replaces a cluster's hosts once per locality, so of several it keeps
    /// only the last; in one locality it keeps them all, with the same per-host weights.
    /// </param>
    public static ClusterLoadAssignment Build(
        string clusterName,
        MeshServicePort port,
        IEnumerable<(MeshEndpointSlice Slice, SliceEndpoint Endpoint, MeshPod? Pod)> endpoints,
        ValueMap<string>? subsetLabels,
        bool oneLocality)
    {
        var byLocality = new SortedDictionary<string, (LocalityLabel Locality, SortedSet<(string Address, int Port)> Addresses)>(StringComparer.Ordinal);
        foreach (var (slice, endpoint, pod) in endpoints)
        {
            var endpointPort = EndpointPorts.Resolve(port, slice);
            // Istio 1.10 leaves not-ready endpoints out instead of sending them as unhealthy.
            if (endpointPort is null || !endpoint.Ready)
            {
                continue;
            }

            var labels = pod?.Labels ?? ValueMap<string>.Empty;
            if (subsetLabels is { } selector && !EndpointLabelIndex.Selects(selector, labels))
            {
                continue;
            }

            var locality = labels.TryGetValue(LocalityLabel.PodLabel, out var label) && label.Length > 0
                ? LocalityLabel.Parse(label)
                : new LocalityLabel(null, endpoint.Zone, null);
            if (!byLocality.TryGetValue(locality.SortKey, out var group))
            {
                byLocality[locality.SortKey] = group = (locality, new SortedSet<(string, int)>());
            }

            // Kubernetes: an endpoint's addresses are interchangeable; the first is the one to use.
            group.Addresses.Add((endpoint.Addresses[0], endpointPort.Value));
        }

        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        if (oneLocality)
        {
            var all = byLocality.Values.SelectMany(group => group.Addresses).ToList();
            if (all.Count > 0)
            {
                assignment.Endpoints.Add(Locality(new Locality(), all));
            }

            return assignment;
        }

        foreach (var (locality, addresses) in byLocality.Values)
        {
            assignment.Endpoints.Add(Locality(locality.ToEnvoy(), addresses));
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
