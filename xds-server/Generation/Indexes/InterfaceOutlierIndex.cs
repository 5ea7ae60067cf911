using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// Per host, the InterfaceOutlierDetection in effect (see <see cref="InterfacePolicy"/>). Hosts are
/// resolved as DestinationRule hosts are (a short name is a Service of the object's namespace); an
/// object applies to every proxy that sees its host, whatever the proxy's namespace. For a port of a
/// host, an object naming that port wins over one naming none; among objects naming the same host and
/// port, the oldest wins (istiod's order: creation time, then name.namespace) and the others are
/// <see cref="ShadowedBy">shadowed</see>, reported in their status. Memoized per snapshot.
/// </summary>
public sealed class InterfaceOutlierIndex
{
    private static readonly SnapshotMemo<string, InterfaceOutlierIndex> Memo = new((mesh, domain) => new InterfaceOutlierIndex(mesh, domain));
    private static readonly ConditionalWeakTable<MeshInterfaceOutlierDetection, InterfacePolicy> Policies = new();

    private readonly Dictionary<(string Host, uint Port), InterfacePolicy> _byHostPort = new();
    private readonly Dictionary<ObjectKey, ObjectKey> _shadowed = new();
    private readonly Dictionary<ObjectKey, string> _hosts = new();

    private InterfaceOutlierIndex(MeshSnapshot mesh, string clusterDomain)
    {
        foreach (var obj in mesh.InterfaceOutlierDetections.Values.Order(MeshIstioObjectOrder.Instance).Cast<MeshInterfaceOutlierDetection>())
        {
            var host = HostName.ResolveShortName(obj.Spec.Host, obj.Key.Namespace, clusterDomain);
            _hosts[obj.Key] = host;
            var key = (host, obj.Spec.Port);
            if (_byHostPort.TryGetValue(key, out var winner))
            {
                _shadowed[obj.Key] = winner.Source.Key;
                continue;
            }

            _byHostPort[key] = PolicyOf(obj, host);
        }

        Hosts = _byHostPort.Keys.Select(k => k.Host).ToImmutableHashSet(StringComparer.Ordinal);
    }

    /// <summary>The hosts some object applies to.</summary>
    public ImmutableHashSet<string> Hosts { get; }

    /// <param name="clusterDomain">Completes short host names, e.g. cluster.local.</param>
    public static InterfaceOutlierIndex Of(MeshSnapshot mesh, string clusterDomain = "cluster.local") => Memo.Get(mesh, clusterDomain);

    /// <summary>The policy for traffic to <paramref name="hostname"/> (a service's FQDN) on service port <paramref name="port"/>; null when none applies.</summary>
    public InterfacePolicy? For(string hostname, int port) =>
        _byHostPort.GetValueOrDefault((hostname, (uint)port)) ?? _byHostPort.GetValueOrDefault((hostname, 0u));

    /// <summary>The older object that takes the host and port of <paramref name="key"/>'s, when one does.</summary>
    public ObjectKey? ShadowedBy(ObjectKey key) => _shadowed.TryGetValue(key, out var winner) ? winner : null;

    /// <summary>The host the object names, resolved; null for an object the snapshot lacks.</summary>
    public string? HostOf(ObjectKey key) => _hosts.GetValueOrDefault(key);

    private static InterfacePolicy PolicyOf(MeshInterfaceOutlierDetection obj, string host)
    {
        if (Policies.TryGetValue(obj, out var cached) && cached.Host == host)
        {
            return cached;
        }

        var policy = new InterfacePolicy(obj, host, obj.Spec.Subsets.ToImmutableHashSet(StringComparer.Ordinal), [.. obj.Spec.Interfaces]);
        Policies.AddOrUpdate(obj, policy);
        return policy;
    }
}
