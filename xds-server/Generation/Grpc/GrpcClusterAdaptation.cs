using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Generation.Grpc;

/// <summary>
/// A cluster built with a DestinationRule's policy (as for sidecars) made acceptable to, and
/// effective in, @grpc/grpc-js-xds 1.14: it NACKs any lb_policy but ROUND_ROBIN and RING_HASH (with
/// xxHash and rings of at most 8,388,608 entries), validates a transport socket against certificate
/// providers of its bootstrap, and implements outlier detection only as gRFC A50's success-rate
/// and failure-percentage algorithms, not Envoy's consecutive-error counting that Istio configures.
/// </summary>
public static class GrpcClusterAdaptation
{
    /// <summary>The largest ring the client accepts (and its default maximum).</summary>
    public const ulong MaximumRingSize = 8_388_608;

    /// <summary>Envoy's defaults for what Istio leaves unset: consecutive_5xx 5, enforced at 100%; gateway failures 5, not enforced.</summary>
    private const uint EnvoyDefaultConsecutiveErrors = 5;

    /// <summary>
    /// Changes <paramref name="cluster"/> in place, before its EDS config is set: LEAST_REQUEST,
    /// RANDOM and CLUSTER_PROVIDED become ROUND_ROBIN (the client has none of them) and an
    /// ORIGINAL_DST cluster (PASSTHROUGH) stays EDS; RING_HASH keeps its ring, the minimum clamped to
    /// <see cref="MaximumRingSize"/>; the transport socket is removed (plaintext, as istiod 1.10's
    /// gRPC generator sends no TLS); outlier detection gets failure-percentage ejection equivalent
    /// to its consecutive-error setting (see <see cref="AddFailurePercentage"/>); a cluster without
    /// outlier detection gets one that ejects nothing (success rate off, no failure percentage).
    /// </summary>
    /// <remarks>
    /// @grpc/grpc-js-xds 1.14.1 takes a cluster update for unchanged when the previous one's values
    /// all reappear in it, and a cluster without outlier detection has almost none to compare: outlier
    /// detection added by a later DestinationRule would be ignored. Sent from the start, its fields
    /// are there to differ.
    /// </remarks>
    public static void Apply(Cluster cluster)
    {
        switch (cluster.LbPolicy)
        {
            case Cluster.Types.LbPolicy.RingHash:
                if (cluster.RingHashLbConfig?.MinimumRingSize is > MaximumRingSize)
                {
                    cluster.RingHashLbConfig.MinimumRingSize = MaximumRingSize;
                }

                break;
            default:
                cluster.LbPolicy = Cluster.Types.LbPolicy.RoundRobin;
                break;
        }

        // A PASSTHROUGH load balancer makes sidecar clusters ORIGINAL_DST, a type the client refuses.
        if (cluster.Type == Cluster.Types.DiscoveryType.OriginalDst)
        {
            cluster.Type = Cluster.Types.DiscoveryType.Eds;
        }

        cluster.TransportSocket = null;
        if (cluster.OutlierDetection is { } outlier)
        {
            AddFailurePercentage(outlier);
        }
        else
        {
            // Ejects nothing, but present: see the remarks.
            cluster.OutlierDetection = new OutlierDetection { EnforcingSuccessRate = 0 };
        }
    }

    /// <summary>
    /// Istio's consecutive-error ejection as the failure-percentage algorithm gRPC clients run once
    /// per interval: a host that had at least N calls in the last interval (N the consecutive 5xx
    /// errors, Envoy's default 5 when unset; else the gateway errors when those alone are
    /// enforced) and failed more than 99% of them (with fewer than 100 calls: every one, so N in a
    /// row) is ejected, however few hosts the cluster has (minimum hosts 1), as Envoy ejects after N
    /// consecutive errors whatever the other hosts do. It may keep a host Envoy ejects (one failing
    /// N times in a row among many successes). Nothing is added when neither is enforced.
    /// </summary>
    public static void AddFailurePercentage(OutlierDetection outlier)
    {
        uint? errors = (outlier.EnforcingConsecutive5Xx ?? 100) > 0
            ? outlier.Consecutive5Xx ?? EnvoyDefaultConsecutiveErrors
            : (outlier.EnforcingConsecutiveGatewayFailure ?? 0) > 0 ? outlier.ConsecutiveGatewayFailure ?? EnvoyDefaultConsecutiveErrors : null;
        if (errors is not > 0)
        {
            return;
        }

        outlier.FailurePercentageRequestVolume = errors;
        outlier.FailurePercentageThreshold = 99;
        outlier.FailurePercentageMinimumHosts = 1;
        outlier.EnforcingFailurePercentage = 100;
    }
}
