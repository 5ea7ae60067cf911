namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A percentage as a double in [0, 100] (Istio's <c>Percent</c>).</summary>
public sealed record Percent(
    double Value);
