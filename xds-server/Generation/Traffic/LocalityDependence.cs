using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// Whether any DestinationRule of a snapshot can make config depend on a proxy's locality: one
/// with outlier detection (failover by proximity) or locality distribution, at any level. Only
/// then do proxy views carry their locality; otherwise proxies of every locality share views.
/// Memoized per snapshot.
/// </summary>
internal static class LocalityDependence
{
    private static readonly SnapshotMemo<bool, Result> Memo = new((mesh, _) => new Result(mesh.DestinationRules.Values.Any(rule => Matters(rule.Spec))));

    public static bool Of(MeshSnapshot mesh) => mesh.DestinationRules.IsEmpty ? false : Memo.Get(mesh, true).Any;

    private static bool Matters(DestinationRule rule) =>
        Matters(rule.TrafficPolicy) || rule.Subsets.Any(subset => Matters(subset.TrafficPolicy));

    private static bool Matters(TrafficPolicy? policy) =>
        policy is not null &&
        (Matters(policy.OutlierDetection, policy.LoadBalancer) || policy.PortLevelSettings.Any(port => Matters(port.OutlierDetection, port.LoadBalancer)));

    private static bool Matters(OutlierDetection? outlier, LoadBalancerSettings? lb) =>
        outlier is not null || lb?.LocalityLbSetting is { Distribute.IsEmpty: false };

    private sealed record Result(bool Any);
}
