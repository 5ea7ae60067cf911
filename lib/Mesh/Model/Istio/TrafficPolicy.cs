namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Load balancing, connection pool, outlier detection and TLS for a host (or subset), with per-port overrides.</summary>
/// <param name="PortLevelSettings">Override the policy above for one port each.</param>
public sealed record TrafficPolicy(
    LoadBalancerSettings? LoadBalancer,
    ConnectionPoolSettings? ConnectionPool,
    OutlierDetection? OutlierDetection,
    ClientTlsSettings? Tls,
    ValueList<PortTrafficPolicy> PortLevelSettings);
