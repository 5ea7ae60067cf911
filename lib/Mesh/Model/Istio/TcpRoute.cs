namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A rule for opaque TCP traffic.</summary>
/// <param name="Match">Any one matching is enough; empty matches all.</param>
public sealed record TcpRoute(
    ValueList<L4MatchAttributes> Match,
    ValueList<RouteDestination> Route);
