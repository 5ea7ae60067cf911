using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>A Kubernetes Service as the mesh sees it.</summary>
/// <param name="Hostname">The fully qualified name, e.g. reviews.default.svc.cluster.local.</param>
/// <param name="ClusterIp">Null for headless and ExternalName services.</param>
/// <param name="Type">The service's <c>spec.type</c>.</param>
/// <param name="ExternalName">The DNS name an ExternalName service stands for (e.g. web.example.test); null for other types.</param>
public sealed record MeshService(
    ObjectKey Key,
    string Hostname,
    string? ClusterIp,
    ImmutableArray<MeshServicePort> Ports,
    ImmutableSortedDictionary<string, string> Selector,
    MeshServiceType Type = MeshServiceType.ClusterIP,
    string? ExternalName = null) : MeshObject(Key)
{
    public override string Kind => "Service";

    /// <summary>
    /// As istiod 1.10 converts a Kubernetes service: DNS for ExternalName, passthrough for a
    /// service without a VIP (headless), else client-side load balancing over EDS endpoints.
    /// </summary>
    public MeshResolution Resolution =>
        Type == MeshServiceType.ExternalName ? MeshResolution.DnsLb :
        ClusterIp is null ? MeshResolution.Passthrough : MeshResolution.ClientSideLb;

    public bool Equals(MeshService? other) =>
        other is not null && Key == other.Key && Hostname == other.Hostname && ClusterIp == other.ClusterIp &&
        Type == other.Type && ExternalName == other.ExternalName &&
        Structural.SequenceEqual(Ports, other.Ports) && Structural.DictionaryEqual(Selector, other.Selector);

    public override int GetHashCode() => HashCode.Combine(Key, Hostname, ClusterIp, Type, ExternalName, Structural.SequenceHash(Ports));

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
