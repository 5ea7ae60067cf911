using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>A DestinationRule's loadBalancer on a cluster, as istiod 1.10's applyLoadBalancer sets it.</summary>
internal static class LoadBalancerTranslation
{
    /// <summary>Envoy's own default minimum ring size, which istiod sets when minimumRingSize is 0 (unset).</summary>
    private const ulong DefaultMinimumRingSize = 1024;

    /// <summary>
    /// Locality-weighted load balancing on (common_lb_config) when the effective locality setting
    /// distributes or fails over, and locality weights or priorities on the cluster's own
    /// load_assignment (STRICT_DNS clusters) relative to <paramref name="proxyLocality"/> (see
    /// <see cref="LocalityLoadBalancing"/>); then, except on ORIGINAL_DST clusters: simple
    /// ROUND_ROBIN, LEAST_CONN → LEAST_REQUEST, RANDOM, PASSTHROUGH → an ORIGINAL_DST cluster with
    /// CLUSTER_PROVIDED; consistentHash → RING_HASH with its minimum ring size (the hash key is the
    /// route's). Apply outlier detection first: failover needs it.
    /// </summary>
    /// <param name="proxyLocality">Null when no rule of the mesh can make a locality matter (see <see cref="LocalityDependence"/>).</param>
    public static void Apply(Cluster cluster, LoadBalancerSettings? lb, LocalityLabel? proxyLocality)
    {
        var locality = LocalityLoadBalancing.Effective(lb?.LocalityLbSetting);
        if (locality is not null && (!locality.Distribute.IsEmpty || !locality.Failover.IsEmpty))
        {
            cluster.CommonLbConfig ??= new Cluster.Types.CommonLbConfig();
            cluster.CommonLbConfig.LocalityWeightedLbConfig = new Cluster.Types.CommonLbConfig.Types.LocalityWeightedLbConfig();
        }

        if (proxyLocality is { } proxy && locality is not null && cluster.LoadAssignment is not null)
        {
            LocalityLoadBalancing.Apply(proxy, cluster.LoadAssignment, locality, failoverEnabled: cluster.OutlierDetection is not null);
        }

        // An ORIGINAL_DST cluster with a hashing or other policy would be refused by Envoy.
        if (cluster.Type == Cluster.Types.DiscoveryType.OriginalDst || lb is null)
        {
            return;
        }

        // Istio's SimpleLB enum starts at ROUND_ROBIN, so a rule with only consistentHash or only locality settings reads as ROUND_ROBIN.
        switch (lb.Simple ?? SimpleLb.RoundRobin)
        {
            case SimpleLb.LeastConn:
                cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
                break;
            case SimpleLb.Random:
                cluster.LbPolicy = Cluster.Types.LbPolicy.Random;
                break;
            case SimpleLb.RoundRobin:
                cluster.LbPolicy = Cluster.Types.LbPolicy.RoundRobin;
                break;
            case SimpleLb.Passthrough:
                cluster.LbPolicy = Cluster.Types.LbPolicy.ClusterProvided;
                cluster.Type = Cluster.Types.DiscoveryType.OriginalDst;
                break;
        }

        if (lb.ConsistentHash is { } hash)
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
            cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig
            {
                MinimumRingSize = hash.MinimumRingSize != 0 ? hash.MinimumRingSize : DefaultMinimumRingSize,
            };
        }
    }
}
