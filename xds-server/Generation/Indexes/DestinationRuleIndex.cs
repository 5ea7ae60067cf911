using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The DestinationRule in effect for a host as seen from a proxy's namespace, as istiod 1.10's
/// SetDestinationRules and PushContext.DestinationRule choose it (rule inheritance off, its
/// default): rules are taken oldest first and merged per namespace and host; a proxy looks in its
/// own namespace first (all rules there but those exported elsewhere only), then among the rules the
/// service's namespace exports to it, then among those the root namespace exports to it; in each,
/// the exact host before the most specific wildcard. A proxy in the root namespace looks first at
/// the root namespace's private rules. Memoized per snapshot.
/// </summary>
public sealed class DestinationRuleIndex
{
    /// <summary>istiod's default root namespace (meshConfig.rootNamespace).</summary>
    public const string DefaultRootNamespace = "istio-system";

    private static readonly SnapshotMemo<(string Domain, string Root), DestinationRuleIndex> Memo = new((mesh, settings) => new DestinationRuleIndex(mesh, settings.Domain, settings.Root));
    private static readonly ConditionalWeakTable<MeshDestinationRule, Merge> Merges = new();

    private readonly string _rootNamespace;
    private readonly Dictionary<string, RuleSet> _namespaceLocal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RuleSet> _exported = new(StringComparer.Ordinal);
    private readonly RuleSet _rootLocal = new();
    private readonly ConcurrentDictionary<(string Proxy, string Host, string? Service), EffectiveDestinationRule?> _lookups = new();
    private readonly Func<(string Proxy, string Host, string? Service), EffectiveDestinationRule?> _lookup;

    // Without wildcard hosts a lookup is three dictionary lookups, cheaper than a memo keyed by three
    // strings (which generation asked per service and proxy namespace at every push); wildcard hosts
    // are matched by walking them, so then lookups are memoized.
    private readonly bool _memoize;

    private DestinationRuleIndex(MeshSnapshot mesh, string clusterDomain, string rootNamespace)
    {
        _rootNamespace = rootNamespace;
        foreach (var rule in mesh.DestinationRules.Values.Order(MeshIstioObjectOrder.Instance).Cast<MeshDestinationRule>())
        {
            var ns = rule.Key.Namespace;
            var host = HostName.ResolveShortName(rule.Spec.Host, ns, clusterDomain);
            var exportTo = rule.Spec.ExportTo;
            if (exportTo.IsEmpty || exportTo.Contains("*") || exportTo.Contains(".") || exportTo.Contains(ns))
            {
                Set(_namespaceLocal, ns).Add(host, rule);
            }

            var privateOnly = exportTo.Count == 1 && exportTo[0] == ".";
            if (!privateOnly)
            {
                Set(_exported, ns).Add(host, rule);
            }
            else if (ns == rootNamespace)
            {
                _rootLocal.Add(host, rule);
            }
        }

        foreach (var set in _namespaceLocal.Values.Concat(_exported.Values).Append(_rootLocal))
        {
            set.Seal();
            _memoize |= set.HasWildcards;
        }

        _lookup = key => Lookup(key.Proxy, key.Host, key.Service);
    }

    /// <param name="clusterDomain">Completes short host names, e.g. cluster.local.</param>
    /// <param name="rootNamespace">meshConfig.rootNamespace.</param>
    public static DestinationRuleIndex Of(MeshSnapshot mesh, string clusterDomain = "cluster.local", string rootNamespace = DefaultRootNamespace) =>
        Memo.Get(mesh, (clusterDomain, rootNamespace));

    /// <summary>
    /// The rule a proxy in <paramref name="proxyNamespace"/> applies to traffic for
    /// <paramref name="hostname"/> (a service's FQDN), whose service lives in
    /// <paramref name="serviceNamespace"/> (see <see cref="HostService.Namespace"/>; null when unknown); null when none applies.
    /// </summary>
    public EffectiveDestinationRule? For(string proxyNamespace, string hostname, string? serviceNamespace) =>
        _memoize ? _lookups.GetOrAdd((proxyNamespace, hostname, serviceNamespace), _lookup) : Lookup(proxyNamespace, hostname, serviceNamespace);

    /// <summary>The subset's labels for a proxy in <paramref name="proxyNamespace"/> (istiod's SubsetToLabels); null when the rule or subset is missing.</summary>
    public ValueMap<string>? SubsetLabels(string proxyNamespace, string hostname, string? serviceNamespace, string subset) =>
        For(proxyNamespace, hostname, serviceNamespace)?.FindSubset(subset)?.Labels;

    private EffectiveDestinationRule? Lookup(string proxyNamespace, string hostname, string? serviceNamespace)
    {
        var local = proxyNamespace != _rootNamespace ? _namespaceLocal.GetValueOrDefault(proxyNamespace) : _rootLocal;
        if (local?.Find(hostname) is { } own)
        {
            return own;
        }

        if (serviceNamespace is not null && Exported(serviceNamespace, hostname, proxyNamespace) is { } fromService)
        {
            return fromService;
        }

        return Exported(_rootNamespace, hostname, proxyNamespace);
    }

    private EffectiveDestinationRule? Exported(string owner, string hostname, string clientNamespace)
    {
        var rule = _exported.GetValueOrDefault(owner)?.Find(hostname);
        return rule is not null && (rule.ExportTo.IsEmpty || rule.ExportTo.Contains("*") || rule.ExportTo.Contains(clientNamespace)) ? rule : null;
    }

    private static RuleSet Set(Dictionary<string, RuleSet> sets, string ns)
    {
        if (!sets.TryGetValue(ns, out var set))
        {
            sets[ns] = set = new RuleSet();
        }

        return set;
    }

    /// <summary>The merge of <paramref name="rules"/>, the same instance while they are the same instances.</summary>
    private static EffectiveDestinationRule Merged(string host, List<MeshDestinationRule> rules)
    {
        if (Merges.TryGetValue(rules[0], out var cached) && cached.Result.Host == host && cached.Result.Rules.Length == rules.Count &&
            cached.Result.Rules.Select((r, i) => ReferenceEquals(r, rules[i])).All(same => same))
        {
            return cached.Result;
        }

        var spec = rules[0].Spec with { Host = host };
        var subsetNames = spec.Subsets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var subsets = spec.Subsets.ToList();
        var exportTo = spec.ExportTo;
        foreach (var later in rules.Skip(1))
        {
            // A subset name already taken is a duplicate istiod drops (and counts in a metric).
            subsets.AddRange(later.Spec.Subsets.Where(s => subsetNames.Add(s.Name)));
            spec = spec with { TrafficPolicy = spec.TrafficPolicy ?? later.Spec.TrafficPolicy };
            exportTo = exportTo.IsEmpty ? later.Spec.ExportTo : exportTo;
        }

        var result = new EffectiveDestinationRule(host, rules.ToImmutableArray(), spec with { Subsets = ValueList<Subset>.From(subsets) }, exportTo);
        Merges.AddOrUpdate(rules[0], new Merge(result));
        return result;
    }

    /// <summary>istiod's processedDestRules: per host, the rules for it (oldest first); hosts most specific first.</summary>
    private sealed class RuleSet
    {
        private readonly Dictionary<string, List<MeshDestinationRule>> _byHost = new(StringComparer.Ordinal);
        private Dictionary<string, EffectiveDestinationRule> _merged = new(StringComparer.Ordinal);
        private List<string> _wildcards = new();

        public void Add(string host, MeshDestinationRule rule)
        {
            if (!_byHost.TryGetValue(host, out var rules))
            {
                _byHost[host] = rules = new List<MeshDestinationRule>();
            }

            rules.Add(rule);
        }

        public void Seal()
        {
            _merged = _byHost.ToDictionary(pair => pair.Key, pair => Merged(pair.Key, pair.Value), StringComparer.Ordinal);
            _wildcards = _byHost.Keys.Where(HostName.IsWildcard).Order(Comparer<string>.Create(HostName.CompareSpecificity)).ToList();
        }

        /// <summary>Whether any rule here is for a wildcard host.</summary>
        public bool HasWildcards => _wildcards.Count > 0;

        /// <summary>The exact host's rule (a dictionary lookup: generation asks once per service and proxy namespace), else the most specific wildcard's.</summary>
        public EffectiveDestinationRule? Find(string hostname) =>
            _merged.TryGetValue(hostname, out var exact) ? exact :
            HostName.MostSpecificMatch(hostname, _wildcards) is { } match ? _merged[match] : null;
    }

    private sealed record Merge(EffectiveDestinationRule Result);
}
