namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Faults injected into matching requests: a delay, an abort, or both.</summary>
public sealed record HttpFaultInjection(
    FaultDelay? Delay,
    FaultAbort? Abort);
