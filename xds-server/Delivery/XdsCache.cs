using System.Collections.Concurrent;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// The only state delivery reads: the published mesh snapshot and the configs generated from it,
/// one per proxy view, generated on first demand and shared by every proxy with that view.
/// </summary>
public sealed class XdsCache
{
    private readonly ConfigGenerator _generator;
    private CacheState _current;

    public XdsCache(ConfigGenerator generator)
    {
        _generator = generator;
        _current = new CacheState(MeshSnapshot.Empty, MeshChange.Everything, null, null, generator);
    }

    public CacheState Current => Volatile.Read(ref _current);

    /// <param name="changedAt">When the first change in this publication happened, for convergence metrics.</param>
    public void Publish(MeshSnapshot mesh, MeshChange change, DateTimeOffset? changedAt = null)
    {
        var previous = Current;
        Volatile.Write(ref _current, new CacheState(mesh, change, changedAt, previous.WithoutPrevious(), _generator));

        // Routes are kept for the namespaces proxies were just served in, and those services live in.
        var namespaces = mesh.Services.Keys.Select(k => k.Namespace).ToHashSet(StringComparer.Ordinal);
        namespaces.UnionWith(previous.ViewNamespaces());
        _generator.Compact(mesh, namespaces);
    }
}

/// <summary>One published snapshot and its generated configs.</summary>
public sealed class CacheState
{
    private readonly ConcurrentDictionary<ProxyView, Lazy<ProxyConfig>> _configs = new();
    private readonly CacheState? _previous;
    private readonly ConfigGenerator _generator;

    internal CacheState(MeshSnapshot mesh, MeshChange change, DateTimeOffset? changedAt, CacheState? previous, ConfigGenerator generator)
    {
        Mesh = mesh;
        Change = change;
        ChangedAt = changedAt;
        _previous = previous;
        _generator = generator;
    }

    public MeshSnapshot Mesh { get; }

    /// <summary>What changed since the snapshot published before this one.</summary>
    public MeshChange Change { get; }

    public DateTimeOffset? ChangedAt { get; }

    public ProxyView ViewOf(ProxyNode node) => ProxyViews.For(node, Mesh);

    public ProxyConfig ConfigFor(ProxyView view) =>
        _configs.GetOrAdd(view, v => new Lazy<ProxyConfig>(() => Generate(v), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>The namespaces of the views a config was generated for.</summary>
    internal IEnumerable<string> ViewNamespaces() => _configs.Keys.Select(v => v.Namespace);

    internal CacheState WithoutPrevious() => _previous is null ? this : new CacheState(Mesh, Change, ChangedAt, null, _generator).CopyConfigsFrom(this);

    private CacheState CopyConfigsFrom(CacheState other)
    {
        // Only finished configs: an unstarted one would keep the older snapshots it would generate from alive.
        foreach (var pair in other._configs)
        {
            if (pair.Value.IsValueCreated)
            {
                _configs[pair.Key] = pair.Value;
            }
        }

        return this;
    }

    private ProxyConfig Generate(ProxyView view)
    {
        // Endpoint-only changes keep the view's clusters, listeners and routes from the snapshot before.
        ProxyConfig? reusable = null;
        if (Change.IsEndpointOnly && _previous is not null && _previous._configs.TryGetValue(view, out var earlier) && earlier.IsValueCreated)
        {
            reusable = earlier.Value;
        }

        XdsMetrics.ViewGenerations.Inc();
        return _generator.Generate(Mesh, view, reusable);
    }
}
