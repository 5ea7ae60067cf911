namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Picks a port of a destination service by number.</summary>
/// <param name="Number">The service port number, 1-65535.</param>
public sealed record PortSelector(
    uint Number);
