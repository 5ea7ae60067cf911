namespace ControlPlane.Mesh.Model.Istio;

/// <summary>HTTP request limits (Istio's <c>ConnectionPoolSettings.HTTPSettings</c>); 0 means unset.</summary>
public sealed record HttpSettings(
    int Http1MaxPendingRequests,
    int Http2MaxRequests,
    int MaxRequestsPerConnection,
    int MaxRetries,
    TimeSpan? IdleTimeout,
    H2UpgradePolicy H2UpgradePolicy,
    bool UseClientProtocol);
