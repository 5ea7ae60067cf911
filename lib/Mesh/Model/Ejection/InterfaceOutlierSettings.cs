using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model.Ejection;

/// <summary>
/// Outlier detection of one interface's cluster: Istio's OutlierDetection fields (same names,
/// meaning and defaults) plus Envoy's failure-percentage algorithm, the one gRPC clients implement
/// (gRFC A50). Unlike a DestinationRule, an algorithm left unset is off: the parser requires at
/// least one of <see cref="Consecutive5xxErrors"/>, <see cref="ConsecutiveGatewayErrors"/> and
/// <see cref="FailurePercentage"/>.
/// </summary>
/// <param name="Consecutive5xxErrors">Errors (5xx, or connection failures) in a row that eject an endpoint; null or 0: off.</param>
/// <param name="ConsecutiveGatewayErrors">502, 503 or 504 (or connection failures) in a row that eject an endpoint; null or 0: off.</param>
/// <param name="Interval">Time between ejection sweeps; null: Envoy's 10s.</param>
/// <param name="BaseEjectionTime">Ejection time, multiplied by the times an endpoint was ejected; null: Envoy's 30s.</param>
/// <param name="MaxEjectionPercent">0-100; 0 (unset): Envoy's 10 (Envoy and gRPC still eject one endpoint).</param>
/// <param name="MinHealthPercent">0-100: below this share of healthy endpoints the cluster ignores health (Envoy's panic threshold); 0 turns panic mode off, as istiod does.</param>
public sealed record InterfaceOutlierSettings(
    uint? Consecutive5xxErrors,
    uint? ConsecutiveGatewayErrors,
    TimeSpan? Interval,
    TimeSpan? BaseEjectionTime,
    int MaxEjectionPercent,
    int MinHealthPercent,
    FailurePercentageEjection? FailurePercentage)
{
    /// <summary>
    /// The Istio OutlierDetection with the same settings (no failure percentage), for istiod's
    /// translation; an unset consecutive algorithm becomes 0, which istiod translates to "off".
    /// </summary>
    public OutlierDetection ToIstio() =>
        new(0, ConsecutiveGatewayErrors ?? 0, Consecutive5xxErrors ?? 0, Interval, BaseEjectionTime, MaxEjectionPercent, MinHealthPercent);
}
