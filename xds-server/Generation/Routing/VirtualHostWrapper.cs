using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>istiod 1.10's VirtualHostWrapper: the host names and services of one port that share a list of routes.</summary>
/// <param name="Hosts">VirtualService hosts no service on the port answers to: each gets a virtual host of its own name.</param>
/// <param name="Services">Services of the port: each gets a virtual host with all the names clients use for it.</param>
/// <param name="Routes">A VirtualService's routes for the port and proxy, or a service's default route.</param>
internal sealed record VirtualHostWrapper(List<string> Hosts, List<HostService> Services, Route[] Routes);
