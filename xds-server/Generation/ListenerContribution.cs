using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>One service port's share of an outbound listener.</summary>
/// <param name="Protocol">HTTP, TCP or sniffed; never <see cref="ListenerProtocol.None"/>.</param>
internal sealed record ListenerContribution(MeshService Service, MeshServicePort Port, ListenerProtocol Protocol);
