namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Conditions on a TLS connection.</summary>
/// <param name="SniHosts">At least one; each a subset of one of the VirtualService's hosts.</param>
/// <param name="Port">0 when unset.</param>
public sealed record TlsMatchAttributes(
    ValueList<string> SniHosts,
    ValueList<string> DestinationSubnets,
    uint Port,
    ValueMap<string> SourceLabels,
    ValueList<string> Gateways,
    string? SourceNamespace);
