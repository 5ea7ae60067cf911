namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Answers requests with an error instead of forwarding (Istio's <c>HTTPFaultInjection.Abort</c>); one of the error fields is set.</summary>
/// <param name="HttpStatus">200-599.</param>
/// <param name="GrpcStatus">Refused by Istio 1.10's validation (not supported).</param>
/// <param name="Http2Error">Refused by Istio 1.10's validation (not supported).</param>
public sealed record FaultAbort(
    int? HttpStatus,
    string? GrpcStatus,
    string? Http2Error,
    Percent? Percentage);
