namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Ejection of failing endpoints from the load balancing pool.</summary>
/// <param name="ConsecutiveErrors">Deprecated; 0 when unset.</param>
/// <param name="Consecutive5xxErrors">JSON field <c>consecutive5xxErrors</c>.</param>
/// <param name="MaxEjectionPercent">0-100; 0 when unset.</param>
/// <param name="MinHealthPercent">0-100; 0 when unset.</param>
public sealed record OutlierDetection(
    int ConsecutiveErrors,
    uint? ConsecutiveGatewayErrors,
    uint? Consecutive5xxErrors,
    TimeSpan? Interval,
    TimeSpan? BaseEjectionTime,
    int MaxEjectionPercent,
    int MinHealthPercent);
