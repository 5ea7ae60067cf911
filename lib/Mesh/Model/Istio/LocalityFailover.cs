namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Where traffic from one region goes when its endpoints are unhealthy (Istio's <c>Failover</c>).</summary>
public sealed record LocalityFailover(
    string From,
    string To);
