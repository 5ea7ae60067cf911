namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Delays requests before forwarding (Istio's <c>HTTPFaultInjection.Delay</c>); the oneof of fixedDelay and exponentialDelay holds at most one.</summary>
/// <param name="Percent">Deprecated integer percentage; 0 when unset.</param>
/// <param name="ExponentialDelay">Refused by Istio 1.10's validation (not supported).</param>
public sealed record FaultDelay(
    int Percent,
    TimeSpan? FixedDelay,
    TimeSpan? ExponentialDelay,
    Percent? Percentage);
