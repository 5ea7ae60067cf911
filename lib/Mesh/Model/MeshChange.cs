using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>What a model update touched, so generation can redo only that and delivery push only what changed.</summary>
/// <param name="Services">
/// Services whose definition changed (added, modified or removed), and headless services whose
/// endpoints changed: their listeners depend on endpoints, so istiod pushes in full for them.
/// </param>
/// <param name="Endpoints">
/// Services whose endpoints changed, including a change of the labels (or IPs) of a Pod one of
/// their endpoints names (labels move endpoints between DestinationRule subsets), and of a
/// WorkloadEntry their selector selects.
/// </param>
public sealed record MeshChange(bool Full, ImmutableHashSet<ObjectKey> Services, ImmutableHashSet<ObjectKey> Endpoints)
{
    public static MeshChange None { get; } = new(false, ImmutableHashSet<ObjectKey>.Empty, ImmutableHashSet<ObjectKey>.Empty);

    public static MeshChange Everything { get; } = None with { Full = true };

    /// <summary>
    /// Istio networking objects that were added, modified or removed, and ServiceEntries whose
    /// endpoints shape their clusters or listeners (resolution DNS or NONE) when a WorkloadEntry or
    /// Pod they select changed.
    /// </summary>
    public ImmutableHashSet<ConfigKey> Config { get; init; } = ImmutableHashSet<ConfigKey>.Empty;

    /// <summary>
    /// ServiceEntries (resolution STATIC) whose endpoints changed and nothing else: their inline
    /// endpoints, or a WorkloadEntry or Pod their workloadSelector selects. As istiod 1.10 does
    /// for these, only endpoints are pushed.
    /// </summary>
    public ImmutableHashSet<ConfigKey> EndpointConfig { get; init; } = ImmutableHashSet<ConfigKey>.Empty;

    public bool IsEmpty => !Full && Services.IsEmpty && Endpoints.IsEmpty && Config.IsEmpty && EndpointConfig.IsEmpty;

    /// <summary>True when only endpoints changed: clusters, listeners and routes stay as they are.</summary>
    public bool IsEndpointOnly => !Full && Services.IsEmpty && Config.IsEmpty && !(Endpoints.IsEmpty && EndpointConfig.IsEmpty);

    public MeshChange Merge(MeshChange other) =>
        new(Full || other.Full, Services.Union(other.Services), Endpoints.Union(other.Endpoints))
        {
            Config = Config.Union(other.Config),
            EndpointConfig = EndpointConfig.Union(other.EndpointConfig),
        };
}
