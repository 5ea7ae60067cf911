namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Conditions on a TCP connection.</summary>
/// <param name="DestinationSubnets">IPs or CIDRs.</param>
/// <param name="Port">0 when unset.</param>
public sealed record L4MatchAttributes(
    ValueList<string> DestinationSubnets,
    uint Port,
    string? SourceSubnet,
    ValueMap<string> SourceLabels,
    ValueList<string> Gateways,
    string? SourceNamespace);
