namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Selects workloads by their labels (all must match).</summary>
public sealed record WorkloadSelector(
    ValueMap<string> Labels);
