using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>A route configuration an outbound listener asks RDS for.</summary>
/// <param name="Name">"PORT" (every HTTP and sniffed service on the port) or "HOST:PORT" (one sniffed service).</param>
/// <param name="Service">The one service of a "HOST:PORT" route; null for "PORT".</param>
public sealed record RouteReference(string Name, int Port, HostService? Service);
