using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// How an EDS cluster's assignment depends on the locality of the proxy it is sent to: the
/// effective locality setting and whether failover is on (outlier detection set). Only made when
/// it changes something (see <see cref="LocalityLoadBalancing.HasEffect"/>), so assignments of
/// other clusters stay shared by proxies of every locality.
/// </summary>
internal sealed record EdsLocalityPolicy(LocalityLoadBalancerSetting Setting, bool FailoverEnabled)
{
    /// <summary>The policy istiod's EDS applies for <paramref name="policy"/> (<see cref="TrafficPolicyMerge.ForEndpoints"/>); null when it changes nothing.</summary>
    public static EdsLocalityPolicy? For(ClusterPolicy policy)
    {
        var failover = policy.OutlierDetection is not null;
        return LocalityLoadBalancing.Effective(policy.LoadBalancer?.LocalityLbSetting) is { } setting && LocalityLoadBalancing.HasEffect(setting, failover)
            ? new EdsLocalityPolicy(setting, failover)
            : null;
    }
}
