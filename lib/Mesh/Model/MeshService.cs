using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>A Kubernetes Service as the mesh sees it.</summary>
/// <param name="Hostname">The fully qualified name, e.g. reviews.default.svc.cluster.local.</param>
/// <param name="ClusterIp">Null for headless services.</param>
public sealed record MeshService(
    ObjectKey Key,
    string Hostname,
    string? ClusterIp,
    ImmutableArray<MeshServicePort> Ports,
    ImmutableSortedDictionary<string, string> Selector) : MeshObject(Key)
{
    public override string Kind => "Service";

    public bool Equals(MeshService? other) =>
        other is not null && Key == other.Key && Hostname == other.Hostname && ClusterIp == other.ClusterIp &&
        Structural.SequenceEqual(Ports, other.Ports) && Structural.DictionaryEqual(Selector, other.Selector);

    public override int GetHashCode() => HashCode.Combine(Key, Hostname, ClusterIp, Structural.SequenceHash(Ports));

    public MeshServicePort? FindPort(int port)
    {
        foreach (var candidate in Ports)
        {
            if (candidate.Port == port)
            {
                return candidate;
            }
        }

        return null;
    }
}
