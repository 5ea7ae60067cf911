namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A traffic policy for one port (Istio's <c>TrafficPolicy.PortTrafficPolicy</c>).</summary>
/// <param name="Port">Required.</param>
public sealed record PortTrafficPolicy(
    PortSelector? Port,
    LoadBalancerSettings? LoadBalancer,
    ConnectionPoolSettings? ConnectionPool,
    OutlierDetection? OutlierDetection,
    ClientTlsSettings? Tls);
