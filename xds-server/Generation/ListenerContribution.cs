using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>One service port's share of an outbound listener.</summary>
/// <param name="Protocol">HTTP, TCP or sniffed; never <see cref="ListenerProtocol.None"/>.</param>
/// <param name="PerEndpoint">
/// A headless service's TCP or sniffed port, given a listener per pod IP as istiod does; a
/// sidecar gets none for its own address.
/// </param>
internal sealed record ListenerContribution(MeshService Service, MeshServicePort Port, ListenerProtocol Protocol, bool PerEndpoint);
