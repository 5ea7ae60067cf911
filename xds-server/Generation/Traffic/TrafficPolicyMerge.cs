using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// How istiod 1.10 merges the levels of a DestinationRule's traffic policy (MergeTrafficPolicy):
/// the subset's parts replace the rule's, part by part; a portLevelSettings entry for the port
/// replaces all four parts, including with nothing (port-level settings do not inherit).
/// </summary>
internal static class TrafficPolicyMerge
{
    /// <summary>
    /// istiod's MergeTrafficPolicy(original, subset, port). With no subset policy it returns
    /// <paramref name="original"/> as is, port-level settings unapplied: so for clusters (see
    /// <see cref="ForCluster"/>) a subset without its own traffic policy takes the rule's top-level
    /// policy, not its port-level one, as in istiod 1.10.
    /// </summary>
    public static TrafficPolicy? Merge(TrafficPolicy? original, TrafficPolicy? subset, int port)
    {
        if (subset is null)
        {
            return original;
        }

        if (original is not null && !original.PortLevelSettings.IsEmpty)
        {
            original = Merge(null, original, port);
        }

        var merged = new ClusterPolicy(
            subset.LoadBalancer ?? original?.LoadBalancer,
            subset.ConnectionPool ?? original?.ConnectionPool,
            subset.OutlierDetection ?? original?.OutlierDetection,
            subset.Tls ?? original?.Tls);
        foreach (var portPolicy in subset.PortLevelSettings)
        {
            if (portPolicy.Port is { } selector && selector.Number == port)
            {
                merged = new ClusterPolicy(portPolicy.LoadBalancer, portPolicy.ConnectionPool, portPolicy.OutlierDetection, portPolicy.Tls);
                break;
            }
        }

        return new TrafficPolicy(merged.LoadBalancer, merged.ConnectionPool, merged.OutlierDetection, merged.Tls, ValueList<PortTrafficPolicy>.Empty);
    }

    /// <summary>
    /// The policy for a cluster (istiod's applyDestinationRule): the rule's policy with its
    /// port-level settings for the service's default cluster (<paramref name="subset"/> null); for a
    /// subset's cluster, Merge(rule policy, subset policy, port).
    /// </summary>
    public static ClusterPolicy ForCluster(TrafficPolicy? rule, Subset? subset, int port) =>
        ClusterPolicy.Of(subset is null ? Merge(null, rule, port) : Merge(rule, subset.TrafficPolicy, port));

    /// <summary>
    /// The policy EDS reads load balancing and outlier detection from (istiod's
    /// getOutlierDetectionAndLoadBalancerSettings): the rule's policy with its port-level settings,
    /// then the subset's merged over that. Unlike <see cref="ForCluster"/>, a subset without a
    /// policy keeps the port-level settings here.
    /// </summary>
    public static ClusterPolicy ForEndpoints(TrafficPolicy? rule, Subset? subset, int port)
    {
        var policy = Merge(null, rule, port);
        if (subset is not null)
        {
            policy = Merge(policy, subset.TrafficPolicy, port);
        }

        return ClusterPolicy.Of(policy);
    }
}
