using System.Text;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace ControlPlane.XdsServer.Generation.Ejection;

/// <summary>
/// The requests two route matches both take, as one <see cref="RouteMatch"/>: how an interface's
/// match is laid over a route's (see <see cref="InterfaceRoutes"/>). Header and query-parameter
/// matchers add up (all must hold). Paths combine where one path matcher says it: an exact path within
/// a prefix, the longer of two nested prefixes, two equal exact paths; no request can take two different
/// exact paths or disjoint prefixes, and then there is no intersection. Anything else (a regex, or
/// matches differing in case sensitivity) keeps the route's path and adds the interface's as a
/// <c>:path</c> header matcher, a regex that allows the query string Envoy's <c>:path</c> carries.
/// </summary>
public static class RouteMatchIntersection
{
    /// <summary>The header an interface's path falls back to.</summary>
    public const string PathHeader = ":path";

    /// <summary>The intersection, a new message; null when no request can match both.</summary>
    /// <param name="route">A route's match (path, headers, query parameters, runtime fraction, grpc...).</param>
    /// <param name="iface">An interface's match: path, case sensitivity, headers and query parameters only.</param>
    public static RouteMatch? Intersect(RouteMatch route, RouteMatch iface)
    {
        var result = route.Clone();
        result.Headers.AddRange(iface.Headers.Select(h => h.Clone()));
        result.QueryParameters.AddRange(iface.QueryParameters.Select(q => q.Clone()));
        if (iface.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.None || IsEveryPath(iface))
        {
            return result;
        }

        var ifaceCaseSensitive = iface.CaseSensitive ?? true;
        if (IsEveryPath(route))
        {
            CopyPath(iface, result);
            result.CaseSensitive = iface.CaseSensitive;
            return result;
        }

        if (ifaceCaseSensitive == (route.CaseSensitive ?? true) && Combine(route, iface, ifaceCaseSensitive) is { } combined)
        {
            if (combined.Empty)
            {
                return null;
            }

            CopyPath(combined.Path, result);
            return result;
        }

#pragma warning disable CS0612, CS0618 // the field istiod 1.10 writes and MOSN's converter reads
        result.Headers.Add(new HeaderMatcher { Name = PathHeader, SafeRegexMatch = PathRegex(iface, ifaceCaseSensitive) });
#pragma warning restore CS0612, CS0618
        return result;
    }

    /// <summary>A prefix "/" (or empty): every request Envoy routes has such a path.</summary>
    private static bool IsEveryPath(RouteMatch match) =>
        match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Prefix && match.Prefix is "" or "/";

    /// <summary>The combined path of two plain (exact or prefix) paths; null when they are not both plain.</summary>
    private static (RouteMatch Path, bool Empty)? Combine(RouteMatch a, RouteMatch b, bool caseSensitive)
    {
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        switch (a.PathSpecifierCase, b.PathSpecifierCase)
        {
            case (RouteMatch.PathSpecifierOneofCase.Path, RouteMatch.PathSpecifierOneofCase.Path):
                return (a, !string.Equals(a.Path, b.Path, comparison));
            case (RouteMatch.PathSpecifierOneofCase.Path, RouteMatch.PathSpecifierOneofCase.Prefix):
                return (a, !a.Path.StartsWith(b.Prefix, comparison));
            case (RouteMatch.PathSpecifierOneofCase.Prefix, RouteMatch.PathSpecifierOneofCase.Path):
                return (b, !b.Path.StartsWith(a.Prefix, comparison));
            case (RouteMatch.PathSpecifierOneofCase.Prefix, RouteMatch.PathSpecifierOneofCase.Prefix):
                if (a.Prefix.StartsWith(b.Prefix, comparison))
                {
                    return (a, false);
                }

                return (b, !b.Prefix.StartsWith(a.Prefix, comparison));
            default:
                return null;
        }
    }

    private static void CopyPath(RouteMatch from, RouteMatch to)
    {
        switch (from.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.Path:
                to.Path = from.Path;
                break;
            case RouteMatch.PathSpecifierOneofCase.Prefix:
                to.Prefix = from.Prefix;
                break;
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                to.SafeRegex = from.SafeRegex.Clone();
                break;
        }
    }

    /// <summary>
    /// The interface's path as a whole-value RE2 regex over <c>:path</c>, which holds the query string
    /// too: the path itself, then optionally "?" and anything.
    /// </summary>
    private static RegexMatcher PathRegex(RouteMatch iface, bool caseSensitive)
    {
        var path = iface.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Path => Quote(iface.Path),
            RouteMatch.PathSpecifierOneofCase.Prefix => Quote(iface.Prefix) + "[^?]*",
            RouteMatch.PathSpecifierOneofCase.SafeRegex => $"(?:{iface.SafeRegex.Regex})",
            _ => "[^?]*",
        };
        var pattern = (caseSensitive ? string.Empty : "(?i)") + path + @"(?:\?.*)?";
        var matcher = iface.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.SafeRegex ? iface.SafeRegex.Clone() : new RegexMatcher();
#pragma warning disable CS0612, CS0618 // google_re2 is deprecated in newer Envoys, required by Envoy 1.18, as istiod writes it
        matcher.GoogleRe2 ??= new RegexMatcher.Types.GoogleRE2();
#pragma warning restore CS0612, CS0618
        matcher.Regex = pattern;
        return matcher;
    }

    /// <summary>The literal as an RE2 pattern: ASCII punctuation backslashed, other ASCII that is not a letter or digit as \xHH.</summary>
    private static string Quote(string literal)
    {
        var quoted = new StringBuilder(literal.Length * 2);
        foreach (var c in literal)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' || c > '\u007f')
            {
                quoted.Append(c);
            }
            else if (char.IsPunctuation(c) || char.IsSymbol(c))
            {
                quoted.Append('\\').Append(c);
            }
            else
            {
                quoted.Append(System.FormattableString.Invariant($"\\x{(int)c:X2}"));
            }
        }

        return quoted.ToString();
    }
}
