using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// What a service's endpoint assignments are made of: its <see cref="HostEndpoints"/>
/// (EndpointSlices and workload instances, which carry their own labels and locality) and the Pod
/// each slice endpoint names (its labels pick DestinationRule subsets and may set its locality).
/// Assignments are memoized against an instance; <see cref="SameAs"/> compares by identity, which
/// model objects and <see cref="HostEndpoints"/> keep while unchanged.
/// </summary>
public sealed class EndpointInputs
{
    private EndpointInputs(HostEndpoints endpoints, ImmutableArray<MeshPod?> pods)
    {
        Endpoints = endpoints;
        Pods = pods;
    }

    /// <summary>No endpoints at all: what a DNS service's (or an unknown host's) EDS assignment is made of.</summary>
    public static EndpointInputs None { get; } = new(HostEndpoints.None, []);

    /// <summary>The service's endpoints (see <see cref="WorkloadIndex.MergedEndpointsOf"/>).</summary>
    public HostEndpoints Endpoints { get; }

    /// <summary>One entry per endpoint of the slices of <see cref="Endpoints"/>, in order: the Pod it names, or null when it names none the mesh knows.</summary>
    public ImmutableArray<MeshPod?> Pods { get; }

    /// <summary>The inputs of <paramref name="endpoints"/> in <paramref name="mesh"/>: its slice endpoints' Pods looked up in the slice's namespace.</summary>
    public static EndpointInputs Of(MeshSnapshot mesh, HostEndpoints endpoints)
    {
        if (endpoints.Slices.IsEmpty)
        {
            return ReferenceEquals(endpoints, HostEndpoints.None) ? None : new EndpointInputs(endpoints, []);
        }

        var pods = ImmutableArray.CreateBuilder<MeshPod?>();
        foreach (var slice in endpoints.Slices)
        {
            foreach (var endpoint in slice.Endpoints)
            {
                pods.Add(endpoint.PodName is { } name && mesh.Pods.TryGetValue(new ObjectKey(slice.Key.Namespace, name), out var pod) ? pod : null);
            }
        }

        return new EndpointInputs(endpoints, pods.ToImmutable());
    }

    /// <summary>True when both hold the same endpoints and Pod instances.</summary>
    public bool SameAs(EndpointInputs other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (!ReferenceEquals(Endpoints, other.Endpoints) || Pods.Length != other.Pods.Length)
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

    /// <summary>Every slice endpoint with its slice and Pod, in slice order.</summary>
    public IEnumerable<(MeshEndpointSlice Slice, SliceEndpoint Endpoint, MeshPod? Pod)> SliceEndpoints()
    {
        var index = 0;
        foreach (var slice in Endpoints.Slices)
        {
            foreach (var endpoint in slice.Endpoints)
            {
                yield return (slice, endpoint, Pods[index++]);
            }
        }
    }
}
