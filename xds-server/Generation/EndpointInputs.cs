using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// What a service's endpoint assignments are made of: its EndpointSlices and the Pod each endpoint
/// names (its labels pick DestinationRule subsets and may set its locality). Assignments are
/// memoized against an instance; <see cref="SameAs"/> compares by identity, which model objects keep
/// while unchanged.
/// </summary>
internal sealed class EndpointInputs
{
    private EndpointInputs(ImmutableArray<MeshEndpointSlice> slices, ImmutableArray<MeshPod?> pods)
    {
        Slices = slices;
        Pods = pods;
    }

    public ImmutableArray<MeshEndpointSlice> Slices { get; }

    /// <summary>One entry per endpoint of <see cref="Slices"/>, in order: the Pod it names, or null when it names none the mesh knows.</summary>
    public ImmutableArray<MeshPod?> Pods { get; }

    public static EndpointInputs Of(MeshSnapshot mesh, ObjectKey service)
    {
        var slices = mesh.SlicesOf(service);
        var pods = ImmutableArray.CreateBuilder<MeshPod?>();
        foreach (var slice in slices)
        {
            foreach (var endpoint in slice.Endpoints)
            {
                pods.Add(endpoint.PodName is { } name && mesh.Pods.TryGetValue(new ObjectKey(slice.Key.Namespace, name), out var pod) ? pod : null);
            }
        }

        return new EndpointInputs(slices, pods.ToImmutable());
    }

    /// <summary>True when both hold the same slice and Pod instances.</summary>
    public bool SameAs(EndpointInputs other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Slices != other.Slices || Pods.Length != other.Pods.Length)
        {
            return false;
        }

        for (var i = 0; i < Pods.Length; i++)
        {
            if (!ReferenceEquals(Pods[i], other.Pods[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every endpoint with its slice and Pod, in slice order.</summary>
    public IEnumerable<(MeshEndpointSlice Slice, SliceEndpoint Endpoint, MeshPod? Pod)> Endpoints()
    {
        var index = 0;
        foreach (var slice in Slices)
        {
            foreach (var endpoint in slice.Endpoints)
            {
                yield return (slice, endpoint, Pods[index++]);
            }
        }
    }
}
