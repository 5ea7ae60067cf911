namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Locality-weighted load balancing: distribute or failover (not both).</summary>
public sealed record LocalityLoadBalancerSetting(
    ValueList<LocalityDistribute> Distribute,
    ValueList<LocalityFailover> Failover,
    bool? Enabled);
