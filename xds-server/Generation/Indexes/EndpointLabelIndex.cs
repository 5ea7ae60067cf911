using System.Collections.Concurrent;
using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// Endpoints' workload labels, for DestinationRule subsets: an EndpointSlice endpoint has its
/// Pod's labels (targetRef → Pod, in the slice's namespace), as istiod 1.10's Kubernetes registry
/// gives endpoints; a subset selects the endpoints whose labels include all of its own (an empty
/// subset selector selects all). Memoized per snapshot.
/// </summary>
public sealed class EndpointLabelIndex
{
    private static readonly SnapshotMemo<bool, EndpointLabelIndex> Memo = new((mesh, _) => new EndpointLabelIndex(mesh));
    private readonly MeshSnapshot _mesh;
    private readonly ConcurrentDictionary<(ObjectKey Service, ValueMap<string> Selector), ImmutableArray<LabeledEndpoint>> _selections = new();

    private EndpointLabelIndex(MeshSnapshot mesh)
    {
        _mesh = mesh;
    }

    public static EndpointLabelIndex Of(MeshSnapshot mesh) => Memo.Get(mesh, true);

    /// <summary>Whether an endpoint with <paramref name="labels"/> belongs to a subset selecting <paramref name="selector"/>.</summary>
    public static bool Selects(ValueMap<string> selector, ValueMap<string> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>The labels of the workload behind <paramref name="endpoint"/> of a slice in <paramref name="sliceNamespace"/>; empty when unknown.</summary>
    public ValueMap<string> LabelsOf(string sliceNamespace, SliceEndpoint endpoint) =>
        endpoint.PodName is { } pod && _mesh.Pods.TryGetValue(new ObjectKey(sliceNamespace, pod), out var found) ? found.Labels : ValueMap<string>.Empty;

    /// <summary>The endpoints of <paramref name="service"/> (ready or not, in slice order) whose labels <paramref name="selector"/> selects.</summary>
    public ImmutableArray<LabeledEndpoint> Select(ObjectKey service, ValueMap<string> selector) =>
        _selections.GetOrAdd((service, selector), key =>
            _mesh.SlicesOf(key.Service)
                .SelectMany(slice => slice.Endpoints.Select(endpoint => new LabeledEndpoint(slice, endpoint, LabelsOf(slice.Key.Namespace, endpoint))))
                .Where(e => Selects(key.Selector, e.Labels))
                .ToImmutableArray());
}
