using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The service registry, as proxies of a namespace see it (istiod 1.10's PushContext service index
/// and a default SidecarScope's servicesByHostname): Kubernetes Services (visible everywhere, as the
/// mesh default exportTo is "*") and ServiceEntry hosts (by their exportTo). Generation iterates
/// this, not the snapshot's Services, so both kinds flow through the same builders. The
/// <see cref="HostService"/> instances live as long as the objects defining them; the index itself
/// is memoized per snapshot.
/// </summary>
public sealed class ServiceIndex
{
    private static readonly SnapshotMemo<string, ServiceIndex> Memo = new((mesh, _) => new ServiceIndex(mesh));
    private static readonly ConditionalWeakTable<MeshService, HostService> KubernetesHosts = new();

    private readonly ServiceScope _public;
    private readonly ConcurrentDictionary<string, ServiceScope> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ServiceScope, IReadOnlyDictionary<string, HostService>> _byHostIn = new();

    private ServiceIndex(MeshSnapshot mesh)
    {
        var all = ImmutableArray.CreateBuilder<HostService>();
        foreach (var service in mesh.Services.Values.OrderBy(s => s.Hostname, StringComparer.Ordinal))
        {
            all.Add(KubernetesHosts.GetValue(service, HostService.Of));
        }

        // istiod orders ServiceEntries by creation time, then name.namespace.
        foreach (var entry in mesh.ServiceEntries.Values.Order(MeshIstioObjectOrder.Instance).Cast<MeshServiceEntry>())
        {
            all.AddRange(ServiceEntryHosts.Of(entry));
        }

        All = all.ToImmutable();
        ByHost = All.GroupBy(s => s.Hostname, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);
        _public = new ServiceScope(ServiceScope.PublicKey, All.Where(IsPublic).ToImmutableArray());
        HasNonPublic = All.Any(s => !IsPublic(s));
    }

    /// <summary>Every service of the registry: Kubernetes Services by host name, then ServiceEntry hosts in istiod's order.</summary>
    public ImmutableArray<HostService> All { get; }

    /// <summary>Every definition of each host name, whoever sees it (never changed once built; looked up per service and namespace at every push).</summary>
    public IReadOnlyDictionary<string, ImmutableArray<HostService>> ByHost { get; }

    /// <summary>The scope of namespaces that see only the public services.</summary>
    public ServiceScope PublicScope => _public;

    /// <summary>Whether any service is exported to fewer than all namespaces (else every namespace has the public scope).</summary>
    public bool HasNonPublic { get; }

    /// <param name="clusterDomain">
    /// Kept for callers that pass the cluster domain: ServiceEntry hosts are taken as written, as
    /// istiod 1.10 takes them, so the index does not depend on it.
    /// </param>
    public static ServiceIndex Of(MeshSnapshot mesh, string clusterDomain = "cluster.local") => Memo.Get(mesh, string.Empty);

    /// <summary>
    /// What a proxy in <paramref name="proxyNamespace"/> sees, in istiod's order: those exported
    /// to its own namespace only, then those exported to it by name, then public ones. Namespaces
    /// that see only the public services share one scope.
    /// </summary>
    public ServiceScope ScopeOf(string proxyNamespace) =>
        !HasNonPublic ? _public : _scopes.GetOrAdd(proxyNamespace, ns =>
        {
            var own = All.Where(s => !IsPublic(s) && s.IsVisibleTo(ns) && s.Namespace == ns && (s.ExportTo.Contains(".") || s.ExportTo.Contains(ns))).ToList();
            var exported = All.Where(s => !IsPublic(s) && s.IsVisibleTo(ns)).Except(own).ToList();
            return own.Count == 0 && exported.Count == 0 ? _public : new ServiceScope(ns, [.. own, .. exported, .. _public.Services]);
        });

    /// <summary>The services of <see cref="ScopeOf"/>.</summary>
    public ImmutableArray<HostService> VisibleFrom(string proxyNamespace) => ScopeOf(proxyNamespace).Services;

    /// <summary>
    /// The service a proxy in <paramref name="proxyNamespace"/> reaches by <paramref name="hostname"/>:
    /// of the definitions it sees, the last in <see cref="VisibleFrom"/>'s order (istiod fills its
    /// servicesByHostname map in that order). Null when it sees none.
    /// </summary>
    public HostService? Find(string hostname, string proxyNamespace) => Find(hostname, ScopeOf(proxyNamespace));

    /// <summary>The same, for a scope.</summary>
    public HostService? Find(string hostname, ServiceScope scope) =>
        _byHostIn.GetOrAdd(scope, s =>
        {
            var map = new Dictionary<string, HostService>(StringComparer.Ordinal);
            foreach (var service in s.Services)
            {
                map[service.Hostname] = service;
            }

            return map;
        }).GetValueOrDefault(hostname);

    private static bool IsPublic(HostService service) => service.ExportTo.IsEmpty || service.ExportTo.Contains("*");
}
