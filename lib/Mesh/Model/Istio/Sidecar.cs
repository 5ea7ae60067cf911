namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io Sidecar: narrows what the selected (or all) sidecars of its namespace see and accept.</summary>
/// <param name="WorkloadSelector">Null: every workload of the namespace without a more specific Sidecar.</param>
public sealed record Sidecar(
    WorkloadSelector? WorkloadSelector,
    ValueList<IstioIngressListener> Ingress,
    ValueList<IstioEgressListener> Egress,
    OutboundTrafficPolicy? OutboundTrafficPolicy);
