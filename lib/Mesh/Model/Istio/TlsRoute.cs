namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A rule for unterminated TLS traffic, matched by SNI.</summary>
/// <param name="Match">At least one.</param>
public sealed record TlsRoute(
    ValueList<TlsMatchAttributes> Match,
    ValueList<RouteDestination> Route);
