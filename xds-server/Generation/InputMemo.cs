using System.Collections.Concurrent;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Remembers one output per key together with the inputs it was built from; the output is reused
/// while the inputs are the same instances. Model objects are immutable and unchanged objects keep
/// their identity across snapshots, so reference equality is exact and cheap. Strings compare by
/// value, and protobuf messages by value (derived parts, such as a route's hash policy, are built
/// afresh on every lookup).
/// </summary>
internal sealed class InputMemo<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (object[] Inputs, TValue Value)> _entries = new();

    public TValue Get(TKey key, object[] inputs, Func<TValue> build)
    {
        if (_entries.TryGetValue(key, out var entry) && SameInputs(entry.Inputs, inputs))
        {
            return entry.Value;
        }

        var value = build();
        _entries[key] = (inputs, value);
        return value;
    }

    public ICollection<TKey> Keys => _entries.Keys;

    /// <summary>Forgets keys the mesh no longer has, so the memo does not grow without bound.</summary>
    public void RetainOnly(IReadOnlySet<TKey> live)
    {
        foreach (var key in _entries.Keys)
        {
            if (!live.Contains(key))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Forgets the keys <paramref name="live"/> refuses.</summary>
    public void RetainWhere(Func<TKey, bool> live)
    {
        foreach (var key in _entries.Keys)
        {
            if (!live(key))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private static bool SameInputs(object[] a, object[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!ReferenceEquals(a[i], b[i]) && !(a[i] is string sa && b[i] is string sb && sa == sb) && !(a[i] is Google.Protobuf.IMessage && a[i].Equals(b[i])))
            {
                return false;
            }
        }

        return true;
    }
}
