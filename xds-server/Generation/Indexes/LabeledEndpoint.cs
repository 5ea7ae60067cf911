using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>An endpoint of a service with the labels of its workload (its Pod's; none when the slice names no known Pod).</summary>
public sealed record LabeledEndpoint(MeshEndpointSlice Slice, SliceEndpoint Endpoint, ValueMap<string> Labels);
