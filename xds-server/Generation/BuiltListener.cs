using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Generation;

/// <summary>An outbound listener as memoized, with the routes it asks for; no resource when its service ports left nothing to build.</summary>
internal sealed record BuiltListener(XdsResource? Resource, ImmutableArray<RouteReference> Routes)
{
    public static readonly BuiltListener None = new(null, []);
}
