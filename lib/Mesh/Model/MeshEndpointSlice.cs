using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>A discovery.k8s.io/v1 EndpointSlice, reduced to what proxies need.</summary>
/// <param name="ServiceName">From the kubernetes.io/service-name label; the service is in the same namespace.</param>
public sealed record MeshEndpointSlice(
    ObjectKey Key,
    string ServiceName,
    ImmutableArray<SlicePort> Ports,
    ImmutableArray<SliceEndpoint> Endpoints) : MeshObject(Key)
{
    public override string Kind => "EndpointSlice";

    public ObjectKey ServiceKey => new(Key.Namespace, ServiceName);

    public bool Equals(MeshEndpointSlice? other) =>
        other is not null && Key == other.Key && ServiceName == other.ServiceName &&
        Structural.SequenceEqual(Ports, other.Ports) && Structural.SequenceEqual(Endpoints, other.Endpoints);

    public override int GetHashCode() => HashCode.Combine(Key, ServiceName, Structural.SequenceHash(Ports), Structural.SequenceHash(Endpoints));
}

/// <param name="Name">Matches the service port's name; empty for single-port services.</param>
public sealed record SlicePort(string Name, int Port);

/// <param name="Ready">Not-ready endpoints are kept in the model but not sent to proxies.</param>
public sealed record SliceEndpoint(ImmutableArray<string> Addresses, bool Ready, string Zone, string? NodeName, string? PodName)
{
    public bool Equals(SliceEndpoint? other) =>
        other is not null && Ready == other.Ready && Zone == other.Zone && NodeName == other.NodeName &&
        PodName == other.PodName && Structural.SequenceEqual(Addresses, other.Addresses);

    public override int GetHashCode() => HashCode.Combine(Ready, Zone, NodeName, PodName, Structural.SequenceHash(Addresses));
}
