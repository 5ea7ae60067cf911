using System.Text.RegularExpressions;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>
/// How MOSN's istio-1.10 branch routes a request by an RDS route configuration, for the parts its
/// converter (pkg/xds/v3/conv) carries over, since MOSN cannot run here: a virtual host by the
/// request's host (x-mosn-host, which only its HTTP codecs set; with no host, only a configuration
/// whose one virtual host answers to "*" is used), then the first route whose conditions hold.
/// The converter keeps a path prefix, exact path or regex (matched anywhere in the path), or none
/// (a header-only rule); header matchers become a regex (matched anywhere) when they carry a
/// non-empty safe_regex, else an exact match of exact_match (so "" for any other kind), the colon of
/// pseudo-headers dropped, and "method" compared with the request method; invert_match, query
/// parameters and case_sensitive are not carried; a redirect keeps Envoy's enum number as its code,
/// which MOSN refuses unless it is 0 (301) or a 3xx code, failing the whole configuration.
/// </summary>
public static class MosnRouteModel
{
    /// <summary>A request as MOSN sees it; Path null for its RPC protocols (bolt, dubbo), which have none.</summary>
    public sealed record Request(string? Host, string? Path, string? Method, IReadOnlyDictionary<string, string> Headers);

    /// <summary>The route MOSN would take, or null (no route: MOSN answers 404).</summary>
    /// <exception cref="InvalidOperationException">MOSN would refuse the whole configuration.</exception>
    public static Route? Match(RouteConfiguration config, Request request)
    {
        foreach (var route in config.VirtualHosts.SelectMany(h => h.Routes))
        {
#pragma warning disable CS0612, CS0618
            if (route.Redirect is { } redirect && (int)redirect.ResponseCode is not 0 and not (>= 300 and < 400))
            {
                throw new InvalidOperationException($"redirect code not supported yet: {(int)redirect.ResponseCode}");
            }
#pragma warning restore CS0612, CS0618
        }

        var host = VirtualHost(config, request.Host);
        return host?.Routes.FirstOrDefault(route => Matches(route.Match, request));
    }

    private static VirtualHost? VirtualHost(RouteConfiguration config, string? host)
    {
        var named = config.VirtualHosts.Where(h => h.Domains.Any(d => d != "*")).ToList();
        var fallback = config.VirtualHosts.FirstOrDefault(h => h.Domains.Contains("*"));
        if (named.Count == 0)
        {
            return fallback;
        }

        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        var lower = host.ToLowerInvariant();
        return named.FirstOrDefault(h => h.Domains.Contains(lower))
            ?? named.FirstOrDefault(h => h.Domains.Any(d => d.StartsWith("*.", StringComparison.Ordinal) && lower.EndsWith(d[1..], StringComparison.Ordinal)))
            ?? fallback;
    }

    private static bool Matches(RouteMatch match, Request request)
    {
        var headersHold = match.Headers.All(header => HeaderHolds(header, request, rpcRule: match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.None));
        if (!headersHold)
        {
            return false;
        }

        return match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => !string.IsNullOrEmpty(request.Path) && request.Path.StartsWith(match.Prefix, StringComparison.Ordinal),
            RouteMatch.PathSpecifierOneofCase.Path => request.Path == match.Path,
            RouteMatch.PathSpecifierOneofCase.SafeRegex => request.Path is not null && Regex.IsMatch(request.Path, match.SafeRegex.Regex),
            _ => true,
        };
    }

    private static bool HeaderHolds(HeaderMatcher header, Request request, bool rpcRule)
    {
        var name = header.Name.TrimStart(':');
#pragma warning disable CS0612, CS0618
        var regex = header.SafeRegexMatch is { Regex.Length: > 0 } safe ? safe.Regex : null;
        var exact = header.ExactMatch;
#pragma warning restore CS0612, CS0618
        if (name == "method" && !rpcRule)
        {
            return request.Method == (regex ?? exact);
        }

        if (!request.Headers.TryGetValue(name, out var value))
        {
            return false;
        }

        return regex is not null ? Regex.IsMatch(value, regex) : value == exact;
    }
}
