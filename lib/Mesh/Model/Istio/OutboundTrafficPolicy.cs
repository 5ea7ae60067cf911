namespace ControlPlane.Mesh.Model.Istio;

/// <summary>What a sidecar does with traffic to unknown destinations.</summary>
/// <param name="EgressProxy">Only with ALLOW_ANY.</param>
public sealed record OutboundTrafficPolicy(
    OutboundTrafficPolicyMode Mode,
    Destination? EgressProxy);
