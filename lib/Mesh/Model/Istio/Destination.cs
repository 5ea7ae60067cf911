namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A service (and optionally a subset and port of it) that traffic is sent to.</summary>
/// <param name="Host">The service's host name as written: a short name is resolved in the VirtualService's namespace by the indexes, not here.</param>
/// <param name="Subset">A subset of the host's DestinationRule; null when unset.</param>
/// <param name="Port">Needed when the service has more than one port.</param>
public sealed record Destination(
    string Host,
    string? Subset,
    PortSelector? Port);
