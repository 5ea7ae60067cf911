using System.Runtime.CompilerServices;
using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>
/// Prepared state-of-the-world responses, shared by every stream that sends the same thing: a whole
/// resource set, or what changed between two sets. Keyed by the sets themselves, so they go when the
/// sets do; a set belongs to one proxy view's config and is shared by every proxy with that view.
/// </summary>
public sealed class PreparedResponses
{
    private readonly ConditionalWeakTable<ResourceSet, Entry> _entries = new();
    private readonly string _controlPlaneId;

    public PreparedResponses(string controlPlaneId)
    {
        _controlPlaneId = controlPlaneId;
    }

    /// <summary>The fingerprint of the set's names, to recognise a subscription to all of them at once.</summary>
    public NameSetFingerprint KeysOf(ResourceSet set) => EntryOf(set).Keys;

    /// <summary>The version of a whole set: what a proxy that holds it all ACKs.</summary>
    public string VersionOf(ResourceSet set) => EntryOf(set).Version;

    /// <summary>Every resource of <paramref name="set"/>.</summary>
    public PreparedResponse Whole(string typeUrl, ResourceSet set)
    {
        var entry = EntryOf(set);
        return entry.Whole ??= PreparedResponse.StateOfTheWorld(typeUrl, entry.Version, set.Resources.Values.ToList(), _controlPlaneId);
    }

    /// <summary>No resources, at <paramref name="set"/>'s version: the answer to a request that brings nothing new.</summary>
    public PreparedResponse Empty(string typeUrl, ResourceSet set)
    {
        var entry = EntryOf(set);
        return entry.Empty ??= PreparedResponse.StateOfTheWorld(typeUrl, entry.Version, [], _controlPlaneId);
    }

    /// <summary>
    /// The resources of <paramref name="to"/> that <paramref name="from"/> lacks or holds at another
    /// version, at <paramref name="to"/>'s version; null when there are none. For the types whose
    /// state-of-the-world responses need not be complete (EDS, RDS: xDS protocol, "Grouping
    /// Resources into Responses"), which istiod 1.10 also sends this way for endpoint changes.
    /// </summary>
    public PreparedResponse? Changes(string typeUrl, ResourceSet from, ResourceSet to)
    {
        var entry = EntryOf(to);
        return Cached(entry, entry.ChangesFrom, from, () =>
        {
            var changed = to.Resources.Values.Where(r => from.Find(r.Name)?.Version != r.Version).ToList();
            return new ChangeBox(changed.Count == 0 ? null : PreparedResponse.StateOfTheWorld(typeUrl, entry.Version, changed, _controlPlaneId));
        }).Response;
    }

    /// <summary>
    /// The response for a proxy that asks for <paramref name="names"/> (an interned set, so streams
    /// asking for the same names share it), not all of <paramref name="set"/>: the named resources
    /// that exist, in name order, and the names that do not.
    /// </summary>
    public (PreparedResponse Response, IReadOnlyList<string> Unknown) Named(string typeUrl, ResourceSet set, System.Collections.Immutable.ImmutableHashSet<string> names)
    {
        var entry = EntryOf(set);
        var named = Cached(entry, entry.ByNames, names, () =>
        {
            var selected = new List<XdsResource>(names.Count);
            var unknown = new List<string>();
            foreach (var name in names.OrderBy(n => n, StringComparer.Ordinal))
            {
                if (set.Find(name) is { } resource)
                {
                    selected.Add(resource);
                }
                else
                {
                    unknown.Add(name);
                }
            }

            return new NamedBox(PreparedResponse.StateOfTheWorld(typeUrl, ResponseVersion.Of(selected), selected, _controlPlaneId), unknown);
        });
        return (named.Response, named.Unknown);
    }

    /// <summary>
    /// The delta response that takes a proxy holding exactly <paramref name="from"/> to holding
    /// exactly <paramref name="to"/>: the resources that are new or at another version, and the names
    /// that are gone; null when there are none.
    /// </summary>
    public PreparedResponse? DeltaTransition(string typeUrl, ResourceSet from, ResourceSet to)
    {
        var entry = EntryOf(to);
        return Cached(entry, entry.DeltaFrom, from, () =>
        {
            var updated = to.Resources.Values.Where(r => from.Find(r.Name)?.Version != r.Version).ToList();
            var removed = from.Resources.Keys.Where(name => to.Find(name) is null).ToList();
            return new ChangeBox(updated.Count == 0 && removed.Count == 0 ? null : PreparedResponse.Delta(typeUrl, entry.Version, updated, removed, _controlPlaneId));
        }).Response;
    }

    /// <summary>
    /// For a delta proxy that holds exactly <paramref name="from"/> and is subscribed to exactly its
    /// names (not the wildcard): the resources of <paramref name="to"/> among those names at another
    /// version, and the names <paramref name="to"/> lacks; null when there are none. Also what the
    /// proxy then holds (<paramref name="from"/> itself when nothing changed). A push usually reaches
    /// such a proxy before it subscribes to what the push added (new clusters' endpoints, new
    /// listeners' routes): worked out once for every stream rather than per stream.
    /// </summary>
    public (PreparedResponse? Response, ResourceSet Holds) DeltaWithin(string typeUrl, ResourceSet from, ResourceSet to)
    {
        var entry = EntryOf(to);
        var within = Cached(entry, entry.DeltaWithinFrom, from, () =>
        {
            var updated = to.Resources.Values.Where(r => from.Find(r.Name) is { } held && held.Version != r.Version).ToList();
            var removed = from.Resources.Keys.Where(name => to.Find(name) is null).ToList();
            return updated.Count == 0 && removed.Count == 0
                ? new WithinBox(null, from)
                : new WithinBox(PreparedResponse.Delta(typeUrl, entry.Version, updated, removed, _controlPlaneId), new ResourceSet(to.Resources.Values.Where(r => from.Find(r.Name) is not null)));
        });
        return (within.Response, within.Holds);
    }

    /// <summary>
    /// What <paramref name="table"/> holds for <paramref name="key"/>, made by <paramref name="make"/>
    /// outside the entry's lock when absent (two streams may both make it; either result is right).
    /// </summary>
    private static TBox Cached<TKey, TBox>(Entry entry, ConditionalWeakTable<TKey, TBox> table, TKey key, Func<TBox> make)
        where TKey : class
        where TBox : class
    {
        lock (entry)
        {
            if (table.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }

        var made = make();
        lock (entry)
        {
            table.AddOrUpdate(key, made);
        }

        return made;
    }

    private Entry EntryOf(ResourceSet set) =>
        _entries.GetValue(set, s => new Entry(ResponseVersion.Of(s.Resources.Values.ToList()), NameSetFingerprint.Of(s.Resources.Keys)));

    private sealed class Entry(string version, NameSetFingerprint keys)
    {
        public string Version { get; } = version;

        public NameSetFingerprint Keys { get; } = keys;

        public PreparedResponse? Whole { get; set; }

        public PreparedResponse? Empty { get; set; }

        public ConditionalWeakTable<ResourceSet, ChangeBox> ChangesFrom { get; } = new();

        public ConditionalWeakTable<ResourceSet, ChangeBox> DeltaFrom { get; } = new();

        public ConditionalWeakTable<ResourceSet, WithinBox> DeltaWithinFrom { get; } = new();

        public ConditionalWeakTable<System.Collections.Immutable.ImmutableHashSet<string>, NamedBox> ByNames { get; } = new();
    }

    private sealed record ChangeBox(PreparedResponse? Response);

    private sealed record WithinBox(PreparedResponse? Response, ResourceSet Holds);

    private sealed record NamedBox(PreparedResponse Response, IReadOnlyList<string> Unknown);
}
