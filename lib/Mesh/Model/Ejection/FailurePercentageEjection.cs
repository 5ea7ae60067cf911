namespace ControlPlane.Mesh.Model.Ejection;

/// <summary>
/// Envoy's failure-percentage ejection (and gRPC's, gRFC A50): at each interval, an endpoint with at
/// least <see cref="RequestVolume"/> requests whose share of failures is at least
/// <see cref="Threshold"/> percent is ejected, with probability <see cref="EnforcingFailurePercentage"/>
/// percent, when at least <see cref="MinimumHosts"/> endpoints had that volume. Null fields take
/// Envoy's defaults (85, 5, 50); enforcement defaults to 100 here (Envoy's 0 would turn it off).
/// </summary>
/// <param name="Threshold">0-100.</param>
/// <param name="EnforcingFailurePercentage">0-100; 100 when unset.</param>
public sealed record FailurePercentageEjection(
    uint? Threshold,
    uint? MinimumHosts,
    uint? RequestVolume,
    uint EnforcingFailurePercentage);
