namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A weighted TCP or TLS destination.</summary>
/// <param name="Weight">0-100; as for HTTP.</param>
public sealed record RouteDestination(
    Destination Destination,
    int Weight);
