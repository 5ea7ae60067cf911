using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>One service port's share of an outbound listener.</summary>
/// <param name="Protocol">HTTP, TCP or sniffed; never <see cref="ListenerProtocol.None"/>.</param>
internal sealed record ListenerContribution(HostService Service, MeshServicePort Port, ListenerProtocol Protocol);
