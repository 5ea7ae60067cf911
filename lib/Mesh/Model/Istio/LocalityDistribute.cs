namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Traffic from one locality (region/zone/subzone, trailing * allowed) spread over others by weight (Istio's <c>Distribute</c>).</summary>
/// <param name="To">Locality to weight; weights add up to 100.</param>
public sealed record LocalityDistribute(
    string From,
    ValueMap<uint> To);
