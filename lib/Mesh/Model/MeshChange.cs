using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>What a model update touched, so generation can redo only that and delivery push only what changed.</summary>
/// <param name="Services">
/// Services whose definition changed (added, modified or removed), and headless services whose
/// endpoints changed: their listeners depend on endpoints, so istiod pushes in full for them.
/// </param>
/// <param name="Endpoints">
/// Services whose endpoints changed, including a change of the labels (or IPs) of a Pod one of
/// their endpoints names: labels move endpoints between DestinationRule subsets.
/// </param>
public sealed record MeshChange(bool Full, ImmutableHashSet<ObjectKey> Services, ImmutableHashSet<ObjectKey> Endpoints)
{
    public static MeshChange None { get; } = new(false, ImmutableHashSet<ObjectKey>.Empty, ImmutableHashSet<ObjectKey>.Empty);

    public static MeshChange Everything { get; } = None with { Full = true };

    /// <summary>Istio networking objects that were added, modified or removed.</summary>
    public ImmutableHashSet<ConfigKey> Config { get; init; } = ImmutableHashSet<ConfigKey>.Empty;

    public bool IsEmpty => !Full && Services.IsEmpty && Endpoints.IsEmpty && Config.IsEmpty;

    /// <summary>True when only endpoints changed: clusters, listeners and routes stay as they are.</summary>
    public bool IsEndpointOnly => !Full && Services.IsEmpty && Config.IsEmpty && !Endpoints.IsEmpty;

    public MeshChange Merge(MeshChange other) =>
        new(Full || other.Full, Services.Union(other.Services), Endpoints.Union(other.Endpoints)) { Config = Config.Union(other.Config) };
}
