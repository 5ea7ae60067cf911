using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// The four parts of a traffic policy that shape one cluster, once port-level and subset-level
/// settings are merged in (istiod 1.10's selectTrafficPolicyComponents). Null parts leave the
/// cluster's defaults.
/// </summary>
internal sealed record ClusterPolicy(
    LoadBalancerSettings? LoadBalancer,
    ConnectionPoolSettings? ConnectionPool,
    OutlierDetection? OutlierDetection,
    ClientTlsSettings? Tls)
{
    public static ClusterPolicy None { get; } = new(null, null, null, null);

    /// <summary>The top-level parts of <paramref name="policy"/>; its portLevelSettings are not looked at (merge first).</summary>
    public static ClusterPolicy Of(TrafficPolicy? policy) =>
        policy is null ? None : new ClusterPolicy(policy.LoadBalancer, policy.ConnectionPool, policy.OutlierDetection, policy.Tls);
}
