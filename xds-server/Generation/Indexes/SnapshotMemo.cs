using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// One index per snapshot and settings: built on first use, reused while the snapshot lives
/// (snapshots are immutable), forgotten with it.
/// </summary>
internal sealed class SnapshotMemo<TSettings, TIndex>
    where TSettings : notnull
    where TIndex : class
{
    private readonly ConditionalWeakTable<MeshSnapshot, Entry> _entries = new();
    private readonly Func<MeshSnapshot, TSettings, TIndex> _build;

    public SnapshotMemo(Func<MeshSnapshot, TSettings, TIndex> build)
    {
        _build = build;
    }

    public TIndex Get(MeshSnapshot mesh, TSettings settings)
    {
        // Looked up first so that a hit allocates nothing (indexes are asked for per service at every push).
        var entry = _entries.TryGetValue(mesh, out var found) ? found : Add(mesh, settings);
        // Settings are fixed per process; a caller with others gets a fresh index, uncached.
        return EqualityComparer<TSettings>.Default.Equals(entry.Settings, settings) ? entry.Index : _build(mesh, settings);
    }

    private Entry Add(MeshSnapshot mesh, TSettings settings) => _entries.GetValue(mesh, m => new Entry(settings, _build(m, settings)));

    private sealed record Entry(TSettings Settings, TIndex Index);
}
