using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// An Istio <see cref="HttpMatchRequest"/> as an Envoy <see cref="RouteMatch"/>, as istiod 1.10's
/// translateRouteMatch writes it: path by uri (exact → path, prefix → prefix, regex → safe_regex
/// with the RE2 engine), headers and withoutHeaders (inverted) sorted by name, then
/// <c>:method</c>, <c>:authority</c> and <c>:scheme</c> as header matchers, and query parameters
/// (exact or regex; any other kind matches presence). <c>case_sensitive</c> is set whenever there is
/// a match, false for ignoreUriCase.
/// </summary>
public static class RouteMatches
{
    /// <summary>The match of a rule without conditions: every path.</summary>
    public static RouteMatch CatchAll() => new() { Prefix = "/" };

    /// <param name="match">Null for a rule without matches.</param>
    public static RouteMatch Translate(HttpMatchRequest? match)
    {
        var output = CatchAll();
        if (match is null)
        {
            return output;
        }

        var headers = match.Headers.Select(h => Header(h.Key, h.Value))
            .Concat(match.WithoutHeaders.Select(h => Inverted(Header(h.Key, h.Value))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        output.Headers.AddRange(headers);

        switch (match.Uri)
        {
            case { Kind: StringMatchKind.Exact } exact:
                output.Path = exact.Value;
                break;
            case { Kind: StringMatchKind.Prefix } prefix:
                output.Prefix = prefix.Value;
                break;
            case { Kind: StringMatchKind.Regex } regex:
                output.SafeRegex = Regex(regex.Value);
                break;
        }

        output.CaseSensitive = !match.IgnoreUriCase;

        if (match.Method is not null)
        {
            output.Headers.Add(Header(":method", match.Method));
        }

        if (match.Authority is not null)
        {
            output.Headers.Add(Header(":authority", match.Authority));
        }

        if (match.Scheme is not null)
        {
            output.Headers.Add(Header(":scheme", match.Scheme));
        }

        // istiod walks a Go map here (no fixed order); ours is by name.
        output.QueryParameters.AddRange(match.QueryParams.Select(q => QueryParameter(q.Key, q.Value)));
        return output;
    }

    /// <summary>
    /// istiod's isCatchAllMatch: a uri prefix "/" (or regex "*") and no other condition. Rules after
    /// a catch-all match can never be reached, so translation stops there.
    /// </summary>
    public static bool IsCatchAll(HttpMatchRequest match)
    {
        var catchAll = match.Uri switch
        {
            { Kind: StringMatchKind.Prefix, Value: "/" } => true,
            { Kind: StringMatchKind.Regex, Value: "*" } => true,
            _ => false,
        };
        return catchAll && match.Headers.IsEmpty && match.QueryParams.IsEmpty && match.SourceLabels.IsEmpty &&
               match.WithoutHeaders.IsEmpty && match.Gateways.IsEmpty && match.Method is null && match.Scheme is null &&
               match.Port == 0 && match.Authority is null && string.IsNullOrEmpty(match.SourceNamespace);
    }

    /// <summary>
    /// A header matcher: exact, prefix or safe_regex; a regex of "*" means presence; a match of no
    /// kind (<c>{}</c>) has no specifier, which Envoy reads as presence.
    /// </summary>
    public static HeaderMatcher Header(string name, StringMatch match)
    {
        var output = new HeaderMatcher { Name = name };
#pragma warning disable CS0612, CS0618 // the fields istiod 1.10 writes and MOSN's converter reads
        switch (match.Kind)
        {
            case StringMatchKind.Regex when match.Value == "*":
                output.PresentMatch = true;
                break;
            case StringMatchKind.Exact:
                output.ExactMatch = match.Value;
                break;
            case StringMatchKind.Prefix:
                output.PrefixMatch = match.Value;
                break;
            case StringMatchKind.Regex:
                output.SafeRegexMatch = Regex(match.Value);
                break;
        }
#pragma warning restore CS0612, CS0618

        return output;
    }

    /// <summary>An RE2 regex matcher (whole-string match), with the engine named as istiod names it.</summary>
    public static RegexMatcher Regex(string pattern)
    {
#pragma warning disable CS0612, CS0618 // google_re2 is deprecated in newer Envoys, required by Envoy 1.18
        return new RegexMatcher { GoogleRe2 = new RegexMatcher.Types.GoogleRE2(), Regex = pattern };
#pragma warning restore CS0612, CS0618
    }

    private static HeaderMatcher Inverted(HeaderMatcher matcher)
    {
        matcher.InvertMatch = true;
        return matcher;
    }

    /// <summary>Exact or regex; istiod 1.10 writes no matcher for a prefix, which Envoy reads as presence.</summary>
    private static QueryParameterMatcher QueryParameter(string name, StringMatch match)
    {
        var output = new QueryParameterMatcher { Name = name };
        switch (match.Kind)
        {
            case StringMatchKind.Exact:
                output.StringMatch = new StringMatcher { Exact = match.Value };
                break;
            case StringMatchKind.Regex:
                output.StringMatch = new StringMatcher { SafeRegex = Regex(match.Value) };
                break;
        }

        return output;
    }
}
