using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Shares equal subscription name sets between streams: 2,000 sidecars of one mesh subscribe to the
/// same 1,000 EDS names, and each would otherwise hold its own copy. Sets are held weakly, so a
/// set no stream uses any more is collected, whoever asked for it.
/// </summary>
public sealed class NameSets
{
    private readonly ConcurrentDictionary<NameSetFingerprint, WeakReference<ImmutableHashSet<string>>> _sets = new();
    private int _sweepAt = 1024;

    /// <summary>
    /// The process's sets, which the ADS wire format consults as requests arrive (see
    /// <see cref="Wire.SotwRequest"/>). Sharing between servers in one process is harmless: a
    /// fingerprint stands for one set of names whoever interned it.
    /// </summary>
    public static NameSets Shared { get; } = new();

    /// <summary>The set some stream holds with this fingerprint, if any (the empty set for no names).</summary>
    public bool TryGet(NameSetFingerprint fingerprint, out ImmutableHashSet<string> names)
    {
        if (fingerprint.Count == 0)
        {
            names = ImmutableHashSet<string>.Empty;
            return true;
        }

        if (_sets.TryGetValue(fingerprint, out var held) && held.TryGetTarget(out var shared))
        {
            names = shared;
            return true;
        }

        names = ImmutableHashSet<string>.Empty;
        return false;
    }

    /// <summary>The shared set of these names (duplicates dropped) and its fingerprint.</summary>
    public (ImmutableHashSet<string> Names, NameSetFingerprint Fingerprint) Intern(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return (ImmutableHashSet<string>.Empty, default);
        }

        var fingerprint = NameSetFingerprint.Of(names);
        if (_sets.TryGetValue(fingerprint, out var held) && held.TryGetTarget(out var shared))
        {
            return (shared, fingerprint);
        }

        var set = ImmutableHashSet.CreateRange(StringComparer.Ordinal, names);
        if (set.Count != names.Count)
        {
            // Duplicates: fingerprint the set itself, so equal sets still meet.
            return Intern(set);
        }

        _sets[fingerprint] = new WeakReference<ImmutableHashSet<string>>(set);
        SweepIfGrown();
        return (set, fingerprint);
    }

    /// <summary>
    /// The shared set whose fingerprint is <paramref name="fingerprint"/>, making it of
    /// <paramref name="names"/> only when no stream holds one: a request repeating a set others
    /// already asked for costs no strings.
    /// </summary>
    public (ImmutableHashSet<string> Names, NameSetFingerprint Fingerprint) Intern(NameSetFingerprint fingerprint, Func<IReadOnlyCollection<string>> names)
    {
        return TryGet(fingerprint, out var shared) ? (shared, fingerprint) : Intern(names());
    }

    /// <summary>Sets held right now (for tests and metrics).</summary>
    public int Count => _sets.Count;

    private void SweepIfGrown()
    {
        if (_sets.Count < Volatile.Read(ref _sweepAt))
        {
            return;
        }

        foreach (var (key, reference) in _sets)
        {
            if (!reference.TryGetTarget(out _))
            {
                _sets.TryRemove(key, out _);
            }
        }

        Volatile.Write(ref _sweepAt, Math.Max(1024, _sets.Count * 2));
    }
}
