using System.Collections.Concurrent;
using System.Collections.Immutable;
using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// Services by host name, as proxies of a namespace see them (istiod 1.10's service index and a
/// default SidecarScope's servicesByHostname): Kubernetes Services (visible everywhere, as the
/// mesh default exportTo is "*") and ServiceEntry hosts (by their exportTo). Memoized per snapshot.
/// </summary>
public sealed class ServiceIndex
{
    private static readonly SnapshotMemo<string, ServiceIndex> Memo = new((mesh, domain) => new ServiceIndex(mesh, domain));
    private readonly ConcurrentDictionary<string, ImmutableArray<HostService>> _visible = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, HostService>> _byHostFrom = new(StringComparer.Ordinal);

    private ServiceIndex(MeshSnapshot mesh, string clusterDomain)
    {
        var all = new List<HostService>();
        foreach (var service in mesh.Services.Values.OrderBy(s => s.Hostname, StringComparer.Ordinal))
        {
            all.Add(new HostService(service.Hostname, service.Key.Namespace, service, null, ValueList<string>.Empty));
        }

        // istiod orders ServiceEntries by creation time, then name.namespace.
        foreach (var entry in mesh.ServiceEntries.Values.Order(MeshIstioObjectOrder.Instance).Cast<MeshServiceEntry>())
        {
            foreach (var host in entry.Spec.Hosts)
            {
                all.Add(new HostService(HostName.ResolveShortName(host, entry.Key.Namespace, clusterDomain), entry.Key.Namespace, null, entry, entry.Spec.ExportTo));
            }
        }

        All = all.ToImmutableArray();
        ByHost = all.GroupBy(s => s.Hostname, StringComparer.Ordinal).ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);
    }

    /// <summary>Every host of the registry: Kubernetes Services by host name, then ServiceEntry hosts in istiod's order.</summary>
    public ImmutableArray<HostService> All { get; }

    /// <summary>Every definition of each host name, whoever sees it.</summary>
    public ImmutableDictionary<string, ImmutableArray<HostService>> ByHost { get; }

    /// <param name="clusterDomain">Completes short ServiceEntry hosts, e.g. cluster.local.</param>
    public static ServiceIndex Of(MeshSnapshot mesh, string clusterDomain = "cluster.local") => Memo.Get(mesh, clusterDomain);

    /// <summary>
    /// What a proxy in <paramref name="proxyNamespace"/> sees, in istiod's order: those exported
    /// to its own namespace only, then those exported to it by name, then public ones.
    /// </summary>
    public ImmutableArray<HostService> VisibleFrom(string proxyNamespace) =>
        _visible.GetOrAdd(proxyNamespace, ns =>
        {
            var own = All.Where(s => !IsPublic(s) && s.IsVisibleTo(ns) && s.Namespace == ns && (s.ExportTo.Contains(".") || s.ExportTo.Contains(ns)));
            var exported = All.Where(s => !IsPublic(s) && s.IsVisibleTo(ns)).Except(own);
            return own.Concat(exported).Concat(All.Where(IsPublic)).ToImmutableArray();
        });

    /// <summary>
    /// The service a proxy in <paramref name="proxyNamespace"/> reaches by <paramref name="hostname"/>:
    /// of the definitions it sees, the last in <see cref="VisibleFrom"/>'s order (istiod fills its
    /// servicesByHostname map in that order). Null when it sees none.
    /// </summary>
    public HostService? Find(string hostname, string proxyNamespace) =>
        _byHostFrom.GetOrAdd(proxyNamespace, ns =>
        {
            var map = new Dictionary<string, HostService>(StringComparer.Ordinal);
            foreach (var service in VisibleFrom(ns))
            {
                map[service.Hostname] = service;
            }

            return map;
        }).GetValueOrDefault(hostname);

    private static bool IsPublic(HostService service) => service.ExportTo.IsEmpty || service.ExportTo.Contains("*");
}
