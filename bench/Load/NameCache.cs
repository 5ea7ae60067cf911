using System.Collections.Concurrent;
using System.Text;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Strings and name lists shared by all simulated proxies: thousands of proxies receive the same
/// cluster and route names, and keeping one copy keeps the load generator's memory and GC small.
/// Grows only with the distinct names and versions the server sends.
/// </summary>
internal static class NameCache
{
    private static readonly ConcurrentDictionary<string, string> Strings = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars =
        Strings.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ConcurrentDictionary<(ulong Hash, int Count), string[]> Lists = new();
    private static readonly ConcurrentDictionary<string, string[]> Singles = new(StringComparer.Ordinal);

    /// <summary>The one shared string with these UTF-8 bytes.</summary>
    public static string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        Span<char> buffer = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var chars = buffer[..Encoding.UTF8.GetChars(utf8, buffer)];
        if (ByChars.TryGetValue(chars, out var known))
        {
            return known;
        }

        var text = new string(chars);
        return Strings.GetOrAdd(text, text);
    }

    /// <summary>The shared one-element array holding <paramref name="name"/>.</summary>
    public static string[] Single(string name) => Singles.GetOrAdd(name, n => [n]);

    /// <summary>A list seen before under the same hash and count, if any.</summary>
    public static bool TryGetList(ulong hash, int count, out string[] names) => Lists.TryGetValue((hash, count), out names!);

    public static string[] AddList(ulong hash, int count, string[] names) => Lists.GetOrAdd((hash, count), names);

    /// <summary>FNV-1a over <paramref name="bytes"/>, continuing from <paramref name="hash"/>, then a separator.</summary>
    public static ulong Hash(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (hash ^ 0xFF) * 1099511628211UL;
    }

    public const ulong HashSeed = 14695981039346656037UL;
}
