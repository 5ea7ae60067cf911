using System.Collections.Concurrent;
using System.Text;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Istio's names of the C# enums of the typed model: the member name in upper snake case
/// (LeastConn is LEAST_CONN, IstioMutual is ISTIO_MUTUAL, Tlsv1_2 is TLSV1_2).
/// </summary>
public static class IstioEnums
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, object>> ByName = new();

    /// <summary>Parses an Istio enum name, exactly (case-sensitive, as protobuf JSON).</summary>
    public static bool TryParse<TEnum>(string name, out TEnum value)
        where TEnum : struct, Enum
    {
        if (Map<TEnum>().TryGetValue(name, out var boxed))
        {
            value = (TEnum)boxed;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The Istio names of <typeparamref name="TEnum"/>'s members, in declaration order.</summary>
    public static IEnumerable<string> Names<TEnum>()
        where TEnum : struct, Enum => Enum.GetValues<TEnum>().Select(NameOf);

    /// <summary>The Istio name of <paramref name="value"/>, e.g. LEAST_CONN.</summary>
    public static string NameOf<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var member = value.ToString();
        var name = new StringBuilder();
        for (var i = 0; i < member.Length; i++)
        {
            if (i > 0 && char.IsUpper(member[i]) && char.IsLower(member[i - 1]))
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(member[i]));
        }

        return name.ToString();
    }

    private static IReadOnlyDictionary<string, object> Map<TEnum>()
        where TEnum : struct, Enum =>
        ByName.GetOrAdd(typeof(TEnum), _ => Enum.GetValues<TEnum>().ToDictionary(v => NameOf(v), v => (object)v, StringComparer.Ordinal));
}
