using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// An immutable string-keyed map, ordered by key (ordinal), that compares by its entries, so that
/// records holding it have value equality. The default value is the empty map, as an absent map
/// field is in protobuf.
/// </summary>
public readonly struct ValueMap<T> : IReadOnlyDictionary<string, T>, IEquatable<ValueMap<T>>
{
    private readonly ImmutableSortedDictionary<string, T>? _entries;

    public ValueMap(ImmutableSortedDictionary<string, T> entries)
    {
        _entries = entries.KeyComparer == StringComparer.Ordinal ? entries : entries.WithComparers(StringComparer.Ordinal);
    }

    public static ValueMap<T> Empty => default;

    /// <summary>The entries, ordered by key (ordinal).</summary>
    public ImmutableSortedDictionary<string, T> Entries => _entries ?? ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);

    public int Count => _entries?.Count ?? 0;

    public bool IsEmpty => Count == 0;

    public IEnumerable<string> Keys => Entries.Keys;

    public IEnumerable<T> Values => Entries.Values;

    public T this[string key] => Entries[key];

    public static bool operator ==(ValueMap<T> left, ValueMap<T> right) => left.Equals(right);

    public static bool operator !=(ValueMap<T> left, ValueMap<T> right) => !left.Equals(right);

    public static ValueMap<T> From(IEnumerable<KeyValuePair<string, T>> entries) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, entries));

    public bool ContainsKey(string key) => _entries?.ContainsKey(key) ?? false;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        if (_entries is null)
        {
            value = default;
            return false;
        }

        return _entries.TryGetValue(key, out value);
    }

    /// <summary>This map with <paramref name="other"/>'s entries added, replacing entries of the same key.</summary>
    public ValueMap<T> SetItems(ValueMap<T> other) => other.IsEmpty ? this : IsEmpty ? other : new(Entries.SetItems(other.Entries));

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => Entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueMap<T> other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        foreach (var (key, value) in Entries)
        {
            if (!other.TryGetValue(key, out var otherValue) || !comparer.Equals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Entries)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => $"{{{string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}"))}}}";
}
