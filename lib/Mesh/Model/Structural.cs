using System.Collections.Immutable;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// Value equality for the collections inside model records (ImmutableArray compares by reference),
/// so that re-reading an unchanged object is recognised as no change.
/// </summary>
internal static class Structural
{
    public static bool SequenceEqual<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.IsDefault ? b.IsDefault : !b.IsDefault && a.AsSpan().SequenceEqual(b.AsSpan());

    public static bool DictionaryEqual(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public static int SequenceHash<T>(ImmutableArray<T> items)
    {
        var hash = new HashCode();
        if (!items.IsDefault)
        {
            foreach (var item in items)
            {
                hash.Add(item);
            }
        }

        return hash.ToHashCode();
    }
}
