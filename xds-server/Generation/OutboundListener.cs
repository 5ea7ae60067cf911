using System.Collections.Immutable;
using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>A built outbound listener and the route configurations its HTTP chains take from RDS.</summary>
public sealed record OutboundListener(Listener Listener, ImmutableArray<RouteReference> Routes);
