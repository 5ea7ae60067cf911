using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Checks that a pattern is valid RE2, the syntax Envoy's safe_regex (and Istio's validation, with
/// Go's regexp) uses. .NET's engine accepts more: this refuses what RE2 has not (backreferences,
/// lookaround, atomic groups, conditionals, comments, (?&lt;name&gt;) groups, \G and \Z, repeat counts over
/// 1000) before asking .NET whether the rest is well formed.
/// </summary>
public static class Re2Syntax
{
    private const int MaxRepeat = 1000;

    /// <returns>Null when valid, else why not.</returns>
    public static string? Check(string pattern)
    {
        var dotnet = new StringBuilder(pattern.Length);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[i + 1];
                if (next == 'Q')
                {
                    // \Q...\E quotes literally: hand .NET the escaped text.
                    var end = pattern.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                    var literal = end < 0 ? pattern[(i + 2)..] : pattern[(i + 2)..end];
                    dotnet.Append(Regex.Escape(literal));
                    i = end < 0 ? pattern.Length : end + 1;
                    continue;
                }

                if (!inClass && (next is >= '1' and <= '9' || next == 'k'))
                {
                    return "backreferences are not supported by RE2";
                }

                if (next is 'G' or 'Z')
                {
                    return $"escape \\{next} is not supported by RE2";
                }

                dotnet.Append(c).Append(next);
                i++;
                continue;
            }

            if (inClass)
            {
                if (c == ']')
                {
                    inClass = false;
                }

                dotnet.Append(c);
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                dotnet.Append(c);
                // A ']' (or '^]') right after '[' is a literal.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    dotnet.Append('^');
                    i++;
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    dotnet.Append("\\]");
                    i++;
                }

                continue;
            }

            if (c == '(' && i + 1 < pattern.Length && pattern[i + 1] == '?')
            {
                var rest = pattern.AsSpan(i + 2);
                if (rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!"))
                {
                    return "lookahead and lookbehind are not supported by RE2";
                }

                if (rest.StartsWith(">"))
                {
                    return "atomic groups are not supported by RE2";
                }

                if (rest.StartsWith("("))
                {
                    return "conditionals are not supported by RE2";
                }

                if (rest.StartsWith("#"))
                {
                    return "comments are not supported by RE2";
                }

                if (rest.StartsWith("<") || rest.StartsWith("'"))
                {
                    return "named groups must be written (?P<name>...) in RE2";
                }

                if (rest.StartsWith("P<"))
                {
                    // RE2's named group; .NET spells it without the P.
                    dotnet.Append("(?<");
                    i += 3;
                    continue;
                }
            }

            if (c == '{' && RepeatCount(pattern, i) is { } count && count > MaxRepeat)
            {
                return $"repeat count {count} exceeds RE2's limit of {MaxRepeat}";
            }

            dotnet.Append(c);
        }

        try
        {
            _ = new Regex(dotnet.ToString(), RegexOptions.None, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message.Length > 120 ? e.Message[..120] : e.Message;
        }
    }

    /// <summary>The largest number of a {n}, {n,} or {n,m} quantifier starting at <paramref name="start"/>; null when it is not one.</summary>
    private static long? RepeatCount(string pattern, int start)
    {
        var close = pattern.IndexOf('}', start);
        if (close < 0)
        {
            return null;
        }

        var parts = pattern[(start + 1)..close].Split(',');
        if (parts.Length > 2 || parts[0].Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit)))
        {
            return null;
        }

        return parts.Where(p => p.Length > 0).Max(p => p.Length > 9 ? long.MaxValue : long.Parse(p, CultureInfo.InvariantCulture));
    }
}
