namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io DestinationRule: policies for traffic to a host, and its subsets.</summary>
/// <param name="Host">As written (short name, FQDN or wildcard); resolved in the rule's namespace by the indexes.</param>
/// <param name="Subsets">Named groups of the host's endpoints, selected by labels.</param>
/// <param name="ExportTo">As for VirtualService: <c>.</c>, <c>*</c> or namespaces; empty means the mesh default (all).</param>
public sealed record DestinationRule(
    string Host,
    TrafficPolicy? TrafficPolicy,
    ValueList<Subset> Subsets,
    ValueList<string> ExportTo);
