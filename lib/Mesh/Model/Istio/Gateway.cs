namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io Gateway: the servers a gateway proxy exposes.</summary>
/// <param name="Selector">Labels of the gateway workloads this applies to.</param>
public sealed record Gateway(
    ValueList<Server> Servers,
    ValueMap<string> Selector);
