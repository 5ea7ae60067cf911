using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds EDS resources: the endpoints of a service port, grouped by locality.</summary>
public static class EndpointBuilder
{
    /// <summary>
    /// The assignment of one service port: the ready endpoints of its EndpointSlices (weight 1, in
    /// their zone) and its other endpoints (ServiceEntry endpoints, selected WorkloadEntries and
    /// Pods, with their locality and weight), in localities ordered by their region/zone/subzone
    /// label (as istiod sorts them), each endpoint address and port once.
    /// </summary>
    /// <param name="oneLocality">
    /// Put every endpoint in one locality (with no zone) instead of one locality per zone. MOSN's
    /// istio-1.10 converter replaces a cluster's hosts once per locality, so of several it keeps
    /// only the last; in one locality it keeps them all, with the same per-host weights.
    /// </param>
    public static ClusterLoadAssignment Build(string clusterName, MeshServicePort port, HostEndpoints endpoints, bool oneLocality = false)
    {
        var byLocality = new SortedDictionary<(string Region, string Zone, string SubZone), SortedDictionary<(string Address, int Port), uint>>(LocalityOrder.Instance);
        void Add((string, string, string) locality, string address, int endpointPort, uint weight)
        {
            if (!byLocality.TryGetValue(locality, out var addresses))
            {
                byLocality[locality] = addresses = new SortedDictionary<(string, int), uint>(AddressOrder.Instance);
            }

            addresses.TryAdd((address, endpointPort), weight);
        }

        foreach (var slice in endpoints.Slices)
        {
            var endpointPort = EndpointPorts.Resolve(port, slice);
            if (endpointPort is null)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints)
            {
                // Istio 1.10 leaves not-ready endpoints out instead of sending them as unhealthy.
                if (endpoint.Ready)
                {
                    // Kubernetes: an endpoint's addresses are interchangeable; the first is the one to use.
                    Add((string.Empty, endpoint.Zone, string.Empty), endpoint.Addresses[0], endpointPort.Value, 1);
                }
            }
        }

        foreach (var instance in endpoints.InstancesOf(port))
        {
            Add(Locality(instance.Locality), instance.Address, instance.EndpointPort, instance.EffectiveWeight);
        }

        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        if (oneLocality)
        {
            var all = byLocality.Values.SelectMany(addresses => addresses).ToList();
            if (all.Count > 0)
            {
                assignment.Endpoints.Add(LocalityEndpoints(new Envoy.Config.Core.V3.Locality(), all, healthy: true));
            }

            return assignment;
        }

        foreach (var ((region, zone, subZone), addresses) in byLocality)
        {
            assignment.Endpoints.Add(LocalityEndpoints(new Envoy.Config.Core.V3.Locality { Region = region, Zone = zone, SubZone = subZone }, addresses, healthy: true));
        }

        return assignment;
    }

    /// <summary>
    /// The endpoints a STRICT_DNS cluster carries itself (istiod's buildLocalityLbEndpoints for DNS
    /// services): each instance of the port with its weight, by locality, with no health status.
    /// Empty when the port has none (istiod then builds no cluster).
    /// </summary>
    public static List<LocalityLbEndpoints> DnsEndpoints(MeshServicePort port, HostEndpoints endpoints)
    {
        var byLocality = new SortedDictionary<(string Region, string Zone, string SubZone), List<KeyValuePair<(string Address, int Port), uint>>>(LocalityOrder.Instance);
        foreach (var instance in endpoints.InstancesOf(port))
        {
            var locality = Locality(instance.Locality);
            if (!byLocality.TryGetValue(locality, out var list))
            {
                byLocality[locality] = list = new List<KeyValuePair<(string, int), uint>>();
            }

            list.Add(KeyValuePair.Create((instance.Address, instance.EndpointPort), instance.EffectiveWeight));
        }

        return byLocality
            .Select(pair => LocalityEndpoints(new Envoy.Config.Core.V3.Locality { Region = pair.Key.Region, Zone = pair.Key.Zone, SubZone = pair.Key.SubZone }, pair.Value, healthy: false))
            .ToList();
    }

    /// <summary>istiod's ConvertLocality: region/zone/subzone, missing parts empty.</summary>
    private static (string Region, string Zone, string SubZone) Locality(string label)
    {
        var parts = label.Split('/', 3);
        return (parts[0], parts.Length > 1 ? parts[1] : string.Empty, parts.Length > 2 ? parts[2] : string.Empty);
    }

    /// <summary>
    /// Locality and its weight (the sum of its endpoints' weights, as istiod) are always set:
    /// proxyless gRPC drops localities without them. EDS endpoints are marked healthy; those a DNS
    /// cluster carries are not marked, as istiod leaves them.
    /// </summary>
    private static LocalityLbEndpoints LocalityEndpoints(Envoy.Config.Core.V3.Locality where, IEnumerable<KeyValuePair<(string Address, int Port), uint>> endpoints, bool healthy)
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

    /// <summary>istiod sorts localities by their label, region/zone/subzone, ordinal.</summary>
    private sealed class LocalityOrder : IComparer<(string Region, string Zone, string SubZone)>
    {
        public static readonly LocalityOrder Instance = new();

        public int Compare((string Region, string Zone, string SubZone) x, (string Region, string Zone, string SubZone) y) =>
            string.CompareOrdinal($"{x.Region}/{x.Zone}/{x.SubZone}", $"{y.Region}/{y.Zone}/{y.SubZone}");
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
