using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>One service port's share of an outbound listener.</summary>
/// <param name="Protocol">HTTP, TCP or sniffed; never <see cref="ListenerProtocol.None"/>.</param>
/// <param name="DestinationCidr">
/// The service's address when it is a CIDR: its TCP chain matches that destination range on the
/// wildcard listener (istiod's destinationCIDR); null otherwise.
/// </param>
internal sealed record ListenerContribution(HostService Service, MeshServicePort Port, ListenerProtocol Protocol, string? DestinationCidr = null);
