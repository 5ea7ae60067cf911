namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Names the delegate VirtualService of a root rule (Istio's <c>Delegate</c>).</summary>
/// <param name="Namespace">As written; istiod 1.10 looks the delegate up by exactly this namespace (an unset one finds nothing).</param>
public sealed record VirtualServiceDelegate(
    string Name,
    string? Namespace);
