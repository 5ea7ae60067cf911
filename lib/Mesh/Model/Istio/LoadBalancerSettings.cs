namespace ControlPlane.Mesh.Model.Istio;

/// <summary>How a proxy picks an endpoint: a simple policy or consistent hashing (a oneof: at most one is set), and locality settings.</summary>
public sealed record LoadBalancerSettings(
    SimpleLb? Simple,
    ConsistentHashLb? ConsistentHash,
    LocalityLoadBalancerSetting? LocalityLbSetting);
