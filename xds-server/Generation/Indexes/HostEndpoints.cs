using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// Everything a <see cref="HostService"/>'s endpoints are made of: a Kubernetes Service's
/// EndpointSlices, and its <see cref="WorkloadInstance"/>s (see there). Handed out by
/// <see cref="WorkloadIndex"/>, the same instance while the objects it was made from are the same
/// instances, so endpoint assignments (and DNS clusters) are memoized by it.
/// </summary>
public sealed class HostEndpoints
{
    internal HostEndpoints(ImmutableArray<MeshEndpointSlice> slices, ImmutableArray<WorkloadInstance> instances, ImmutableArray<object> inputs)
    {
        Slices = slices;
        Instances = instances;
        Inputs = inputs;
    }

    public static HostEndpoints None { get; } = new([], [], []);

    /// <summary>A Kubernetes Service's EndpointSlices, ordered by name; empty for ServiceEntry hosts.</summary>
    public ImmutableArray<MeshEndpointSlice> Slices { get; }

    /// <summary>The other endpoints, per service port, in source order (inline endpoints, WorkloadEntries by key, Pods by key).</summary>
    public ImmutableArray<WorkloadInstance> Instances { get; }

    /// <summary>The model objects these were made from, compared by identity.</summary>
    internal ImmutableArray<object> Inputs { get; }

    /// <summary>The instances serving <paramref name="port"/> (by its name, as istiod matches them).</summary>
    public IEnumerable<WorkloadInstance> InstancesOf(MeshServicePort port) => Instances.Where(i => i.ServicePortName == port.Name);
}
