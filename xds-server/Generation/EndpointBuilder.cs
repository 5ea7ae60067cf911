using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds EDS resources: the endpoints of a service port (or of a subset of them), grouped by locality.</summary>
public static class EndpointBuilder
{
    /// <summary>
    /// The assignment of cluster <paramref name="clusterName"/> (a service port's, or one of its
    /// subsets'), as istiod 1.10's EDS builds it: the ready endpoints of the service's
    /// EndpointSlices (weight 1; their locality from the Pod's <c>istio-locality</c> label, else the
    /// slice's zone) and its other endpoints (ServiceEntry endpoints, selected WorkloadEntries and
    /// Pods, with their locality and weight), of those only the ones whose labels (a slice
    /// endpoint's Pod's, an instance's own) include all of <paramref name="subsetLabels"/> (every
    /// one when null); localities ordered by their region/zone/subzone label (as istiod sorts
    /// them), each endpoint address and port once, ordinal order.
    /// </summary>
    /// <param name="endpoints">The service's endpoints, with the Pod each slice endpoint names.</param>
    /// <param name="oneLocality">
    /// Put every endpoint in one locality (with no zone) instead of one locality per zone. MOSN's
    /// istio-1.10 converter replaces a cluster's hosts once per locality, so of several it keeps
    /// only the last; in one locality it keeps them all, with the same per-host weights.
    /// </param>
    public static ClusterLoadAssignment Build(string clusterName, MeshServicePort port, EndpointInputs endpoints, ValueMap<string>? subsetLabels = null, bool oneLocality = false)
    {
        var byLocality = new SortedDictionary<string, (LocalityLabel Locality, SortedDictionary<(string Address, int Port), uint> Addresses)>(StringComparer.Ordinal);
        void Add(LocalityLabel locality, string address, int endpointPort, uint weight)
        {
            if (!byLocality.TryGetValue(locality.SortKey, out var group))
            {
                byLocality[locality.SortKey] = group = (locality, new SortedDictionary<(string, int), uint>(AddressOrder.Instance));
            }

            group.Addresses.TryAdd((address, endpointPort), weight);
        }

        foreach (var (slice, endpoint, pod) in endpoints.SliceEndpoints())
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

            // Kubernetes: an endpoint's addresses are interchangeable; the first is the one to use.
            Add(locality, endpoint.Addresses[0], endpointPort.Value, 1);
        }

        foreach (var instance in Selected(endpoints.Endpoints, port, subsetLabels))
        {
            Add(LocalityLabel.Split(instance.Locality), instance.Address, instance.EndpointPort, instance.EffectiveWeight);
        }

        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        if (oneLocality)
        {
            var all = byLocality.Values.SelectMany(group => group.Addresses).ToList();
            if (all.Count > 0)
            {
                assignment.Endpoints.Add(LocalityEndpoints(new Locality(), all, healthy: true));
            }

            return assignment;
        }

        foreach (var (locality, addresses) in byLocality.Values)
        {
            assignment.Endpoints.Add(LocalityEndpoints(locality.ToEnvoy(), addresses, healthy: true));
        }

        return assignment;
    }

    /// <summary>
    /// The endpoints a STRICT_DNS cluster carries itself (istiod's buildLocalityLbEndpoints for DNS
    /// services): each instance of the port with its weight, by locality, with no health status;
    /// for a subset cluster only those whose labels include all of <paramref name="subsetLabels"/>.
    /// Empty when the port has none (istiod then builds no cluster).
    /// </summary>
    public static List<LocalityLbEndpoints> DnsEndpoints(MeshServicePort port, HostEndpoints endpoints, ValueMap<string>? subsetLabels = null)
    {
        var byLocality = new SortedDictionary<string, (LocalityLabel Locality, List<KeyValuePair<(string Address, int Port), uint>> Endpoints)>(StringComparer.Ordinal);
        foreach (var instance in Selected(endpoints, port, subsetLabels))
        {
            var locality = LocalityLabel.Split(instance.Locality);
            if (!byLocality.TryGetValue(locality.SortKey, out var group))
            {
                byLocality[locality.SortKey] = group = (locality, new List<KeyValuePair<(string, int), uint>>());
            }

            group.Endpoints.Add(KeyValuePair.Create((instance.Address, instance.EndpointPort), instance.EffectiveWeight));
        }

        return byLocality.Values.Select(group => LocalityEndpoints(group.Locality.ToEnvoy(), group.Endpoints, healthy: false)).ToList();
    }

    /// <summary>The instances serving <paramref name="port"/> whose labels the subset selects (all of them for no subset).</summary>
    private static IEnumerable<WorkloadInstance> Selected(HostEndpoints endpoints, MeshServicePort port, ValueMap<string>? subsetLabels) =>
        endpoints.InstancesOf(port).Where(instance => subsetLabels is not { } selector || EndpointLabelIndex.Selects(selector, instance.Labels));

    /// <summary>
    /// Locality and its weight (the sum of its endpoints' weights, as istiod) are always set:
    /// proxyless gRPC drops localities without them. EDS endpoints are marked healthy; those a DNS
    /// cluster carries are not marked, as istiod leaves them.
    /// </summary>
    private static LocalityLbEndpoints LocalityEndpoints(Locality where, IEnumerable<KeyValuePair<(string Address, int Port), uint>> endpoints, bool healthy)
    {
        var locality = new LocalityLbEndpoints { Locality = where };
        uint total = 0;
        foreach (var ((address, endpointPort), weight) in endpoints)
        {
            var endpoint = new LbEndpoint
            {
                Endpoint = new Endpoint { Address = EnvoyDefaults.EndpointAddress(address, endpointPort) },
                LoadBalancingWeight = weight,
            };
            if (healthy)
            {
                endpoint.HealthStatus = HealthStatus.Healthy;
            }

            locality.LbEndpoints.Add(endpoint);
            total += weight;
        }

        locality.LoadBalancingWeight = total;
        return locality;
    }

    private sealed class AddressOrder : IComparer<(string Address, int Port)>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare((string Address, int Port) x, (string Address, int Port) y)
        {
            var byAddress = string.CompareOrdinal(x.Address, y.Address);
            return byAddress != 0 ? byAddress : x.Port.CompareTo(y.Port);
        }
    }
}
