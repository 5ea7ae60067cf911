using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// VirtualServices by the gateway they bind to and the namespaces that see them, as istiod 1.10's
/// initVirtualServices builds them: ordered by creation time (then name.namespace), short names
/// resolved, roots merged with their delegates (mergeVirtualServicesIfNeeded: plain VirtualServices
/// first, then roots; delegates themselves are not listed), and filed by exportTo ("." and the own
/// namespace: private; "*" or none: public, the mesh default; other namespaces: exported to them).
/// Memoized per snapshot; the <see cref="ResolvedVirtualService"/> instances live as long as their
/// inputs do, so route generation can memoize by them.
/// </summary>
public sealed class VirtualServiceIndex
{
    private static readonly SnapshotMemo<string, VirtualServiceIndex> Memo = new((mesh, domain) => new VirtualServiceIndex(mesh, domain));
    private static readonly ConditionalWeakTable<MeshVirtualService, Resolution> Resolutions = new();

    private readonly Dictionary<(string Namespace, string Gateway), List<ResolvedVirtualService>> _private = new();
    private readonly Dictionary<(string Namespace, string Gateway), List<ResolvedVirtualService>> _exported = new();
    private readonly Dictionary<string, List<ResolvedVirtualService>> _public = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Namespace, string Gateway), ImmutableArray<ResolvedVirtualService>> _forGateway = new();
    private readonly ConcurrentDictionary<string, SidecarHosts> _forHost = new(StringComparer.Ordinal);

    private VirtualServiceIndex(MeshSnapshot mesh, string clusterDomain)
    {
        var ordered = mesh.VirtualServices.Values.Order(MeshIstioObjectOrder.Instance).Cast<MeshVirtualService>().ToList();
        var delegates = new Dictionary<(string Name, string Namespace), MeshVirtualService>();
        var plain = new List<ResolvedVirtualService>();
        var roots = new List<MeshVirtualService>();
        foreach (var vs in ordered)
        {
            if (vs.Spec.Hosts.IsEmpty)
            {
                delegates[(vs.Key.Name, vs.Key.Namespace)] = vs;
            }
            else if (vs.Spec.Http.Any(r => r.Delegate is not null))
            {
                roots.Add(vs);
            }
            else
            {
                plain.Add(Resolve(vs, [], clusterDomain));
            }
        }

        var delegatesByRoot = ImmutableDictionary.CreateBuilder<ObjectKey, ImmutableArray<ObjectKey>>();
        foreach (var root in roots)
        {
            var used = new List<MeshVirtualService>();
            var referenced = new List<ObjectKey>();
            foreach (var route in root.Spec.Http)
            {
                if (route.Delegate is not { } reference)
                {
                    continue;
                }

                referenced.Add(new ObjectKey(reference.Namespace ?? string.Empty, reference.Name));
                if (delegates.TryGetValue((reference.Name, reference.Namespace ?? string.Empty), out var found) && IsExportedTo(found, root.Key.Namespace))
                {
                    used.Add(found);
                }
            }

            delegatesByRoot[root.Key] = referenced.ToImmutableArray();
            plain.Add(Resolve(root, used.Distinct().ToImmutableArray(), clusterDomain));
        }

        DelegatesByRoot = delegatesByRoot.ToImmutable();
        All = plain.ToImmutableArray();
        foreach (var vs in All)
        {
            File(vs);
        }
    }

    /// <summary>Every VirtualService that takes effect (delegates only through their roots), in istiod's order.</summary>
    public ImmutableArray<ResolvedVirtualService> All { get; }

    /// <summary>Per root, the delegates its rules name (namespace as written), found or not: a change to one of them changes the root's routes.</summary>
    public ImmutableDictionary<ObjectKey, ImmutableArray<ObjectKey>> DelegatesByRoot { get; }

    /// <param name="clusterDomain">Completes short host names, e.g. cluster.local.</param>
    public static VirtualServiceIndex Of(MeshSnapshot mesh, string clusterDomain = "cluster.local") => Memo.Get(mesh, clusterDomain);

    /// <summary>
    /// istiod's VirtualServicesForGateway: the VirtualServices bound to <paramref name="gateway"/>
    /// (a resolved namespace/name, or <c>mesh</c>) that a proxy in <paramref name="proxyNamespace"/>
    /// sees, in order: private to its namespace, exported to it by name, public.
    /// </summary>
    public ImmutableArray<ResolvedVirtualService> ForGateway(string proxyNamespace, string gateway) =>
        _forGateway.GetOrAdd((proxyNamespace, gateway), key =>
            (_private.GetValueOrDefault(key) ?? [])
                .Concat(_exported.GetValueOrDefault(key) ?? [])
                .Concat(_public.GetValueOrDefault(key.Gateway) ?? [])
                .ToImmutableArray());

    /// <summary>What sidecars (and proxyless gRPC clients) in <paramref name="proxyNamespace"/> see: those bound to <c>mesh</c>.</summary>
    public ImmutableArray<ResolvedVirtualService> ForSidecar(string proxyNamespace) => ForGateway(proxyNamespace, VirtualServiceNames.MeshGateway);

    /// <summary>
    /// The mesh-bound VirtualServices a sidecar in <paramref name="proxyNamespace"/> sees for the
    /// service <paramref name="hostname"/>, in <see cref="ForSidecar"/>'s order: those naming it
    /// exactly and those whose wildcard host covers it (istiod's separateVSHostsAndServices). In
    /// istiod's route configuration the first one claims the host; later ones' virtual hosts for it
    /// are dropped as duplicates.
    /// </summary>
    /// <remarks>
    /// Filed once per namespace by host (a handful of writes per namespace, not one per namespace and
    /// service: thousands of streams generating at once contended on those).
    /// </remarks>
    public ImmutableArray<ResolvedVirtualService> ForHost(string proxyNamespace, string hostname) =>
        (_forHost.TryGetValue(proxyNamespace, out var hosts) ? hosts : _forHost.GetOrAdd(proxyNamespace, ns => new SidecarHosts(ForSidecar(ns)))).For(hostname);

    /// <summary>
    /// The resolved hosts whose routes depend on the VirtualService <paramref name="key"/>: its own,
    /// or for a delegate its roots'. Ask the indexes of both the old and the new snapshot to cover
    /// additions and removals.
    /// </summary>
    public IEnumerable<string> HostsAffectedBy(ObjectKey key) =>
        All.Where(vs => vs.Key == key || vs.Delegates.Any(d => d.Key == key) || (DelegatesByRoot.GetValueOrDefault(vs.Key).Contains(key)))
            .SelectMany(vs => vs.Spec.Hosts)
            .Distinct(StringComparer.Ordinal);

    /// <summary>A delegate is usable by a root in <paramref name="rootNamespace"/> when exported there (or everywhere; "." is its own namespace; none is everywhere).</summary>
    private static bool IsExportedTo(MeshVirtualService delegateVs, string rootNamespace)
    {
        var exportTo = delegateVs.Spec.ExportTo;
        return exportTo.IsEmpty || exportTo.Any(e => e == "*" || e == rootNamespace || (e == "." && delegateVs.Key.Namespace == rootNamespace));
    }

    /// <summary>The resolved (and merged) form, the same instance while the inputs are.</summary>
    private static ResolvedVirtualService Resolve(MeshVirtualService vs, ImmutableArray<MeshVirtualService> delegates, string clusterDomain)
    {
        if (Resolutions.TryGetValue(vs, out var cached) && cached.Domain == clusterDomain && SameInstances(cached.Result.Delegates, delegates))
        {
            return cached.Result;
        }

        var spec = VirtualServiceNames.Resolve(vs.Spec, vs.Key.Namespace, clusterDomain);
        if (!delegates.IsEmpty)
        {
            var byKey = delegates.ToDictionary(d => (d.Key.Name, d.Key.Namespace));
            var routes = new List<HttpRoute>();
            foreach (var route in spec.Http)
            {
                if (route.Delegate is not { } reference)
                {
                    routes.Add(route);
                }
                else if (byKey.TryGetValue((reference.Name, reference.Namespace ?? string.Empty), out var found))
                {
                    var delegateSpec = VirtualServiceNames.Resolve(found.Spec, found.Key.Namespace, clusterDomain);
                    routes.AddRange(DelegateMerge.Merge(route with { Delegate = null }, delegateSpec.Http));
                }
            }

            spec = spec with { Http = ValueList<HttpRoute>.From(routes) };
        }
        else if (spec.Http.Any(r => r.Delegate is not null))
        {
            // A root whose delegates are all missing (or not exported to it) keeps none of those rules.
            spec = spec with { Http = ValueList<HttpRoute>.From(spec.Http.Where(r => r.Delegate is null)) };
        }

        var result = new ResolvedVirtualService(vs, spec, delegates);
        Resolutions.AddOrUpdate(vs, new Resolution(clusterDomain, result));
        return result;
    }

    private static bool SameInstances(ImmutableArray<MeshVirtualService> a, ImmutableArray<MeshVirtualService> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private void File(ResolvedVirtualService vs)
    {
        var ns = vs.Key.Namespace;
        var exportTo = vs.Spec.ExportTo;
        foreach (var gateway in vs.GatewayNames)
        {
            if (exportTo.IsEmpty || exportTo.Contains("*"))
            {
                Add(_public, gateway, vs);
                continue;
            }

            if (exportTo.Contains("~"))
            {
                continue;
            }

            foreach (var target in exportTo.Distinct())
            {
                if (target == "." || target == ns)
                {
                    Add(_private, (ns, gateway), vs);
                }
                else
                {
                    Add(_exported, (target, gateway), vs);
                }
            }
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<ResolvedVirtualService>> map, TKey key, ResolvedVirtualService vs)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<ResolvedVirtualService>();
        }

        if (!list.Contains(vs))
        {
            list.Add(vs);
        }
    }

    private sealed record Resolution(string Domain, ResolvedVirtualService Result);

    /// <summary>The VirtualServices one namespace's sidecars see, by the exact hosts they name, and those with wildcard hosts.</summary>
    private sealed class SidecarHosts
    {
        private readonly Dictionary<string, ImmutableArray<ResolvedVirtualService>> _exact = new(StringComparer.Ordinal);
        private readonly ImmutableArray<(int Order, ResolvedVirtualService VirtualService)> _wildcards;
        private readonly Dictionary<ResolvedVirtualService, int> _order;

        public SidecarHosts(ImmutableArray<ResolvedVirtualService> visible)
        {
            var exact = new Dictionary<string, List<ResolvedVirtualService>>(StringComparer.Ordinal);
            var wildcards = ImmutableArray.CreateBuilder<(int, ResolvedVirtualService)>();
            for (var i = 0; i < visible.Length; i++)
            {
                var vs = visible[i];
                foreach (var host in vs.Spec.Hosts.Distinct(StringComparer.Ordinal))
                {
                    if (HostName.IsWildcard(host))
                    {
                        wildcards.Add((i, vs));
                    }
                    else
                    {
                        if (!exact.TryGetValue(host, out var list))
                        {
                            exact[host] = list = [];
                        }

                        list.Add(vs);
                    }
                }
            }

            foreach (var (host, list) in exact)
            {
                _exact[host] = list.Distinct().ToImmutableArray();
            }

            _wildcards = wildcards.ToImmutable();
            _order = visible.Select((vs, i) => (vs, i)).GroupBy(p => p.vs).ToDictionary(g => g.Key, g => g.First().i);
        }

        /// <summary>Those naming <paramref name="hostname"/> exactly or by wildcard, in the order the namespace sees them.</summary>
        public ImmutableArray<ResolvedVirtualService> For(string hostname)
        {
            var exact = _exact.GetValueOrDefault(hostname, []);
            if (_wildcards.IsEmpty)
            {
                return exact;
            }

            var matching = _wildcards.Where(w => w.VirtualService.Spec.Hosts.Any(h => HostName.IsWildcard(h) && HostName.Matches(hostname, h))).Select(w => w.VirtualService);
            return exact.Concat(matching).Distinct().OrderBy(vs => _order[vs]).ToImmutableArray();
        }
    }
}
