using System.Text;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// Routes reshaped for MOSN's istio-1.10 converter (pkg/xds/v3/conv) and router, which read less of
/// a route than Envoy does and read some of it differently; so that a MOSN sidecar does what Envoy
/// would, or, where it cannot, leaves a rule out rather than apply it wrongly:
/// <list type="bullet">
/// <item>MOSN matches regexes (path and header) anywhere in the value, Envoy the whole value: they are anchored.</item>
/// <item>MOSN reads a header matcher as exact unless it is a non-empty safe_regex: prefix and presence matchers become regexes.</item>
/// <item>MOSN ignores case_sensitive: a case-insensitive path match becomes a case-insensitive regex.</item>
/// <item>
/// MOSN ignores invert_match and query parameters, cannot match :authority or :scheme (it drops the
/// colon and looks for a header of that name) and compares :method exactly: a route with such a
/// condition is left out (it would match requests Envoy does not send there).
/// </item>
/// <item>MOSN reads the redirect response code as Envoy's enum number and refuses any but 301's (0), losing the whole virtual host: other codes become 301.</item>
/// <item>
/// A prefix match only matches requests with a path, which MOSN's RPC protocols (bolt, dubbo, ...)
/// do not have; a route matching every path (prefix "/", no :method, no prefix rewrite) is sent
/// without a path match, which MOSN reads as a header-only rule that HTTP and RPC requests both pass.
/// </item>
/// </list>
/// What MOSN drops without harm (per-route header changes, host rewrites, CORS, per-destination
/// headers, query-parameter hashing) is sent as for Envoy; docs/traffic.md (VirtualService) lists it.
/// </summary>
public static class MosnRoutes
{
    /// <summary>A copy of <paramref name="host"/> with its routes reshaped (or left out) for MOSN.</summary>
    public static VirtualHost Adapt(VirtualHost host)
    {
        var copy = host.Clone();
        copy.Routes.Clear();
        foreach (var route in host.Routes)
        {
            if (Adapt(route) is { } adapted)
            {
                copy.Routes.Add(adapted);
            }
        }

        return copy;
    }

    /// <summary>
    /// The virtual hosts of a "HOST:PORT" route configuration (a sniffed port's listener bound to
    /// one address). MOSN chooses a virtual host by the request's host, which only its HTTP codecs
    /// set: with the one virtual host answering to any name, requests of MOSN's own RPC protocols
    /// on that port (detected by its Auto protocol) are routed too. Nothing else reaches this
    /// listener, so no request is routed anywhere else than it would be.
    /// </summary>
    public static IReadOnlyList<VirtualHost> ForAddressBoundListener(IReadOnlyList<VirtualHost> hosts)
    {
        if (hosts.Count != 1)
        {
            return hosts;
        }

        var only = hosts[0].Clone();
        only.Domains.Clear();
        only.Domains.Add("*");
        return [only];
    }

    private static Route? Adapt(Route route)
    {
        var match = route.Match;
        if (match.QueryParameters.Count > 0 || match.Headers.Any(Unsupported))
        {
            return null;
        }

        var copy = route.Clone();
        var output = copy.Match;
        var caseInsensitive = output.CaseSensitive == false;
        switch (output.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                output.SafeRegex = RouteMatches.Regex(Anchored(output.SafeRegex.Regex, caseInsensitive));
                break;
            case RouteMatch.PathSpecifierOneofCase.Prefix when caseInsensitive:
                output.SafeRegex = RouteMatches.Regex($"^(?i){Quote(output.Prefix)}.*$");
                break;
            case RouteMatch.PathSpecifierOneofCase.Path when caseInsensitive:
                output.SafeRegex = RouteMatches.Regex($"^(?i){Quote(output.Path)}$");
                break;
        }

        for (var i = 0; i < output.Headers.Count; i++)
        {
            output.Headers[i] = Header(output.Headers[i]);
        }

        if (output.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Prefix && output.Prefix == "/" &&
            output.Headers.All(h => h.Name != ":method") && string.IsNullOrEmpty(copy.Route_?.PrefixRewrite))
        {
            output.ClearPathSpecifier();
            output.CaseSensitive = null;
        }

#pragma warning disable CS0612, CS0618 // the deprecated enum-valued response code is what MOSN reads
        if (copy.Redirect is { } redirect && redirect.ResponseCode != RedirectAction.Types.RedirectResponseCode.MovedPermanently)
        {
            redirect.ResponseCode = RedirectAction.Types.RedirectResponseCode.MovedPermanently;
        }
#pragma warning restore CS0612, CS0618

        return copy;
    }

    private static bool Unsupported(HeaderMatcher header) =>
        header.InvertMatch || header.Name is ":authority" or ":scheme" ||
        (header.Name == ":method" && header.HeaderMatchSpecifierCase != HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch);

    /// <summary>A matcher MOSN evaluates as Envoy would: exact stays, anything else becomes an anchored regex.</summary>
    private static HeaderMatcher Header(HeaderMatcher header)
    {
#pragma warning disable CS0612, CS0618 // the matcher fields MOSN's converter reads
        var regex = header.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch => null,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch => Anchored(header.SafeRegexMatch.Regex, false),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch => $"^{Quote(header.PrefixMatch)}.*$",
            _ => "^.*$",
        };
        return regex is null ? header : new HeaderMatcher { Name = header.Name, SafeRegexMatch = RouteMatches.Regex(regex) };
#pragma warning restore CS0612, CS0618
    }

    private static string Anchored(string pattern, bool caseInsensitive) => caseInsensitive ? $"^(?i:{pattern})$" : $"^(?:{pattern})$";

    /// <summary>The literal as an RE2 (and Go regexp) pattern, as Go's regexp.QuoteMeta escapes it.</summary>
    private static string Quote(string literal)
    {
        var output = new StringBuilder(literal.Length * 2);
        foreach (var c in literal)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                output.Append('\\');
            }

            output.Append(c);
        }

        return output.ToString();
    }
}
