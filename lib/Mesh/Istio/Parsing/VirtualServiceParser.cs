using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Reads a VirtualService spec and applies Istio 1.10's ValidateVirtualService (with delegation
/// enabled, as PILOT_ENABLE_VIRTUAL_SERVICE_DELEGATE defaults): a VirtualService without hosts is
/// a delegate. The unreachable-rule analysis (warnings only) is not done.
/// </summary>
public static class VirtualServiceParser
{
    public const string MeshGateway = "mesh";

    public static IstioParseResult<VirtualService> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    private static VirtualService Read(FieldReader r)
    {
        var hosts = r.Strings("hosts");
        var gateways = r.Strings("gateways");
        var isDelegate = hosts.IsEmpty;
        var http = r.Messages("http", h => HttpRoute(h, isDelegate));
        var tls = r.Messages("tls", t => TlsRoute(t, hosts));
        var tcp = r.Messages("tcp", TcpRoute);
        var exportTo = r.Strings("exportTo");

        if (isDelegate)
        {
            if (!gateways.IsEmpty)
            {
                r.Error("gateways", "delegate virtual service must have no gateways specified");
            }

            if (r.CountOf("tls") > 0)
            {
                r.Error("tls", "delegate virtual service must have no tls route specified");
            }

            if (r.CountOf("tcp") > 0)
            {
                r.Error("tcp", "delegate virtual service must have no tcp route specified");
            }
        }

        CommonParsers.CheckGatewayNames(r, "gateways", gateways);
        var appliesToMesh = gateways.IsEmpty || gateways.Contains(MeshGateway);
        var allHostsValid = true;
        for (var i = 0; i < hosts.Count; i++)
        {
            if (IstioValidation.WildcardDomain(hosts[i]) is { } error)
            {
                if (!IstioValidation.IsIpAddress(hosts[i]))
                {
                    r.Error($"hosts[{i}]", error);
                    allHostsValid = false;
                }
            }
            else if (appliesToMesh && hosts[i] == "*")
            {
                r.Error($"hosts[{i}]", "wildcard host * is not allowed for virtual services bound to the mesh gateway");
                allHostsValid = false;
            }
        }

        if (allHostsValid)
        {
            for (var i = 0; i < hosts.Count; i++)
            {
                for (var j = i + 1; j < hosts.Count; j++)
                {
                    if (HostName.Matches(hosts[i], hosts[j]))
                    {
                        r.Error($"hosts[{j}]", $"duplicate hosts in virtual service: {SpecReader.Quote(hosts[i])} & {SpecReader.Quote(hosts[j])}");
                    }
                }
            }
        }

        if (r.CountOf("http") + r.CountOf("tcp") + r.CountOf("tls") == 0)
        {
            r.Error("http, tcp or tls must be provided in virtual service");
        }

        CommonParsers.CheckExportTo(r, exportTo, isServiceEntry: false);
        return new VirtualService(hosts, gateways, http, tls, tcp, exportTo);
    }

    private static HttpRoute HttpRoute(FieldReader r, bool inDelegate)
    {
        var route = new HttpRoute(
            r.String("name"),
            r.Messages("match", m => MatchRequest(m)),
            r.Messages("route", HttpRouteDestination),
            r.Message("redirect", Redirect),
            r.Message("delegate", d => new VirtualServiceDelegate(d.RequiredString("name"), d.String("namespace"))),
            r.Message("rewrite", Rewrite),
            r.Duration("timeout"),
            r.Message("retries", Retry),
            r.Message("fault", Fault),
            r.Message("mirror", CommonParsers.Destination),
            r.OptionalUInt32("mirrorPercent"),
            CommonParsers.Percent(r, "mirrorPercentage"),
            r.Message("corsPolicy", Cors),
            r.Message("headers", h => CommonParsers.Headers(h, routeLevel: true)));

        var isRoot = !inDelegate && route.Delegate is not null;
        if (isRoot)
        {
            if (route.Redirect is not null)
            {
                r.Error("redirect", $"root HTTP route {SpecReader.Quote(route.Name ?? string.Empty)} must not specify redirect");
            }

            if (r.CountOf("route") > 0)
            {
                r.Error("route", $"root HTTP route {SpecReader.Quote(route.Name ?? string.Empty)} must not specify route");
            }
        }
        else
        {
            if (inDelegate && route.Delegate is not null)
            {
                r.Error("delegate", "delegate HTTP route cannot contain delegate");
            }

            if (route.Redirect is not null)
            {
                if (!route.Route.IsEmpty)
                {
                    r.Error("route", "HTTP route cannot contain both route and redirect");
                }

                if (route.Fault is not null)
                {
                    r.Error("fault", "HTTP route cannot contain both fault and redirect");
                }

                if (route.Rewrite is not null)
                {
                    r.Error("rewrite", "HTTP route rule cannot contain both rewrite and redirect");
                }
            }
            else if (r.CountOf("route") == 0)
            {
                r.Error("HTTP route or redirect is required");
            }
        }

        CheckMatches(r, route.Match, independent: !inDelegate && !isRoot);
        if (route.MirrorPercent is { } mirrorPercent)
        {
            if (mirrorPercent > 100)
            {
                r.Error("mirrorPercent", $"mirror_percent must have a max value of 100 (it has {mirrorPercent})");
            }

            r.Spec.Warning(r.At("mirrorPercent"), "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
        }

        CommonParsers.CheckDuration(r, "timeout", route.Timeout);
        CheckAuthorityRewrite(r, route);
        CheckWeights(r, route.Route.Select(d => d.Weight).ToList());
        return route;
    }

    /// <summary>
    /// An HTTPMatchRequest with the checks that do not depend on its route (port, sourceLabels,
    /// gateways, sourceNamespace); regexes are checked by <see cref="CheckMatch"/>.
    /// </summary>
    internal static HttpMatchRequest MatchRequest(FieldReader r)
    {
        // Regexes are checked with the route, which knows whether it delegates (then none are allowed).
        var match = new HttpMatchRequest(
            r.String("name"),
            r.Message("uri", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.Message("scheme", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.Message("method", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.Message("authority", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.MessageMap("headers", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.UInt32("port"),
            r.StringMap("sourceLabels"),
            r.Strings("gateways"),
            r.MessageMap("queryParams", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.Bool("ignoreUriCase"),
            r.MessageMap("withoutHeaders", s => CommonParsers.StringMatch(s, checkRegex: false)),
            r.String("sourceNamespace"));

        if (match.Port != 0 && IstioValidation.Port(match.Port) is { } portError)
        {
            r.Error("port", portError);
        }

        CommonParsers.CheckLabels(r, "sourceLabels", match.SourceLabels);
        CommonParsers.CheckGatewayNames(r, "gateways", match.Gateways);
        if (!string.IsNullOrEmpty(match.SourceNamespace) && !IstioValidation.IsDns1123Label(match.SourceNamespace))
        {
            r.Error("sourceNamespace", $"sourceNamespace match {SpecReader.Quote(match.SourceNamespace)} is invalid");
        }

        return match;
    }

    /// <summary>
    /// Istio's validateHTTPRouteMatchRequest: an independent rule's regexes must be valid RE2
    /// (withoutHeaders are not checked there); a root or delegate rule's matches may hold no regex.
    /// </summary>
    private static void CheckMatches(FieldReader r, ValueList<HttpMatchRequest> matches, bool independent)
    {
        for (var i = 0; i < matches.Count; i++)
        {
            CheckMatch(r, $"match[{i}]", matches[i], independent);
        }
    }

    /// <summary>
    /// One match of <see cref="CheckMatches"/>, at the field path <paramref name="at"/> relative to
    /// <paramref name="r"/> (empty: <paramref name="r"/> reads the match itself): RE2 regexes where
    /// <paramref name="independent"/>, none otherwise; no empty header names.
    /// </summary>
    internal static void CheckMatch(FieldReader r, string at, HttpMatchRequest match, bool independent)
    {
        at = at.Length == 0 ? string.Empty : at + ".";
        var singles = new (string Field, StringMatch? Value)[] { ("uri", match.Uri), ("scheme", match.Scheme), ("method", match.Method), ("authority", match.Authority) };
        var maps = new List<(string Field, ValueMap<StringMatch> Value)> { ("headers", match.Headers), ("queryParams", match.QueryParams) };
        if (!independent)
        {
            maps.Add(("withoutHeaders", match.WithoutHeaders));
        }

        foreach (var (field, value) in singles)
        {
            CheckRegex(r, $"{at}{field}", value, independent, $"{field} match does not support regex match for delegating");
        }

        foreach (var (field, map) in maps)
        {
            foreach (var (name, value) in map)
            {
                CheckRegex(r, $"{at}{field}[{SpecReader.Quote(name)}]", value, independent, $"{field} match {SpecReader.Quote(name)} does not support regex match for delegating");
                if (field != "queryParams" && name.Length == 0)
                {
                    r.Error($"{at}{field}", "header name cannot be empty");
                }
            }
        }
    }

    private static void CheckRegex(FieldReader r, string at, StringMatch? match, bool independent, string delegatingError)
    {
        if (match is not { Kind: StringMatchKind.Regex })
        {
            return;
        }

        if (!independent)
        {
            r.Error(at, delegatingError);
        }
        else if (Re2Syntax.Check(match.Value) is { } error)
        {
            r.Error($"{at}.regex", $"{error}; Istio uses RE2 style regex-based match");
        }
    }

    private static void CheckAuthorityRewrite(FieldReader r, HttpRoute route)
    {
        var current = route.Rewrite?.Authority ?? string.Empty;
        var request = route.Headers?.Request;
        if (request is null)
        {
            return;
        }

        foreach (var (field, map) in new[] { ("set", request.Set), ("add", request.Add) })
        {
            foreach (var (name, value) in map.Where(pair => IstioValidation.IsAuthorityHeader(pair.Key)))
            {
                if (current.Length > 0)
                {
                    r.Error($"headers.request.{field}", $"authority header cannot be set multiple times: have {SpecReader.Quote(current)}, attempting to set {SpecReader.Quote(value)}");
                    return;
                }

                current = value;
            }
        }
    }

    private static HttpRouteDestination HttpRouteDestination(FieldReader r)
    {
        var destination = r.Message("destination", CommonParsers.Destination);
        if (destination is null && !r.Has("destination"))
        {
            r.Error("destination", "destination is required");
        }

        var weight = r.Int32("weight");
        if (IstioValidation.Percent(weight) is { } error)
        {
            r.Error("weight", error);
        }

        var headers = r.Message("headers", h => CommonParsers.Headers(h, routeLevel: false));
        return new HttpRouteDestination(destination ?? new Destination(string.Empty, null, null), weight, headers);
    }

    private static RouteDestination RouteDestination(FieldReader r)
    {
        var destination = r.Message("destination", CommonParsers.Destination);
        if (destination is null && !r.Has("destination"))
        {
            r.Error("destination", "destination is required");
        }

        var weight = r.Int32("weight");
        if (IstioValidation.Percent(weight) is { } error)
        {
            r.Error("weight", error);
        }

        return new RouteDestination(destination ?? new Destination(string.Empty, null, null), weight);
    }

    /// <summary>Several destinations' weights must add up to 100 (a single one's may be 0: it takes everything).</summary>
    private static void CheckWeights(FieldReader r, List<int> weights)
    {
        var total = weights.Sum(w => (long)w);
        if (weights.Count > 1 && total != 100)
        {
            r.Error("route", $"total destination weight {total} != 100");
        }
    }

    private static HttpRedirect Redirect(FieldReader r)
    {
        var redirect = new HttpRedirect(r.String("uri"), r.String("authority"), r.UInt32("redirectCode"));
        if (string.IsNullOrEmpty(redirect.Uri) && string.IsNullOrEmpty(redirect.Authority))
        {
            r.Error("redirect must specify URI, authority, or both");
        }
        else if (redirect.RedirectCode != 0 && redirect.RedirectCode is < 300 or > 399)
        {
            r.Error("redirectCode", $"{redirect.RedirectCode} is not a valid redirect code, must be 3xx");
        }

        return redirect;
    }

    private static HttpRewrite Rewrite(FieldReader r)
    {
        var rewrite = new HttpRewrite(r.String("uri"), r.String("authority"));
        if (string.IsNullOrEmpty(rewrite.Uri) && string.IsNullOrEmpty(rewrite.Authority))
        {
            r.Error("rewrite must specify URI, authority, or both");
        }

        return rewrite;
    }

    private static HttpRetry Retry(FieldReader r)
    {
        var retry = new HttpRetry(r.Int32("attempts"), r.Duration("perTryTimeout"), r.String("retryOn"), r.OptionalBool("retryRemoteLocalities"));
        if (retry.Attempts < 0)
        {
            r.Error("attempts", "attempts cannot be negative");
        }

        if (retry.Attempts == 0 && (retry.PerTryTimeout is not null || !string.IsNullOrEmpty(retry.RetryOn) || retry.RetryRemoteLocalities is not null))
        {
            r.Error("attempts", "http retry policy configured when attempts are set to 0 (disabled)");
        }

        CommonParsers.CheckDuration(r, "perTryTimeout", retry.PerTryTimeout);
        if (!string.IsNullOrEmpty(retry.RetryOn))
        {
            foreach (var policy in retry.RetryOn.Split(','))
            {
                if (!IstioValidation.IsRetryOnPolicy(policy))
                {
                    r.Error("retryOn", $"{SpecReader.Quote(policy)} is not a valid retryOn policy");
                }
            }
        }

        return retry;
    }

    private static HttpFaultInjection Fault(FieldReader r)
    {
        var fault = new HttpFaultInjection(r.Message("delay", Delay), r.Message("abort", Abort));
        if (fault.Delay is null && fault.Abort is null)
        {
            r.Error("HTTP fault injection must have an abort and/or a delay");
        }

        return fault;
    }

    private static FaultDelay Delay(FieldReader r)
    {
        var delay = new FaultDelay(r.Int32("percent"), r.Duration("fixedDelay"), r.Duration("exponentialDelay"), CommonParsers.Percent(r, "percentage"));
        if (delay.FixedDelay is not null && delay.ExponentialDelay is not null)
        {
            r.Error("only one of fixedDelay and exponentialDelay may be set");
        }

        CommonParsers.CheckDuration(r, "fixedDelay", delay.FixedDelay);
        if (delay.ExponentialDelay is not null)
        {
            CommonParsers.CheckDuration(r, "exponentialDelay", delay.ExponentialDelay);
            r.Error("exponentialDelay", "exponentialDelay not supported yet");
        }

        return delay;
    }

    private static FaultAbort Abort(FieldReader r)
    {
        var abort = new FaultAbort(r.OptionalInt32("httpStatus"), r.String("grpcStatus"), r.String("http2Error"), CommonParsers.Percent(r, "percentage"));
        var set = (abort.HttpStatus is null ? 0 : 1) + (abort.GrpcStatus is null ? 0 : 1) + (abort.Http2Error is null ? 0 : 1);
        if (set > 1)
        {
            r.Error("only one of httpStatus, grpcStatus and http2Error may be set");
        }
        else if (abort.GrpcStatus is not null)
        {
            r.Error("grpcStatus", "gRPC abort fault injection not supported yet");
        }
        else if (abort.Http2Error is not null)
        {
            r.Error("http2Error", "HTTP/2 abort fault injection not supported yet");
        }
        else if (abort.HttpStatus is { } status && status is < 200 or > 600)
        {
            r.Error("httpStatus", $"HTTP status {status} is not in range 200-599");
        }

        return abort;
    }

    private static CorsPolicy Cors(FieldReader r)
    {
        var cors = new CorsPolicy(
            r.Strings("allowOrigin"),
            r.Messages("allowOrigins", s => CommonParsers.StringMatch(s, checkRegex: true)),
            r.Strings("allowMethods"),
            r.Strings("allowHeaders"),
            r.Strings("exposeHeaders"),
            r.Duration("maxAge"),
            r.OptionalBool("allowCredentials"));
        for (var i = 0; i < cors.AllowOrigins.Count; i++)
        {
            if (cors.AllowOrigins[i].Value.Length == 0)
            {
                r.Error($"allowOrigins[{i}]", "'' is not a valid match type for CORS allow origins");
            }
        }

        for (var i = 0; i < cors.AllowMethods.Count; i++)
        {
            if (!IstioValidation.IsHttpMethod(cors.AllowMethods[i]))
            {
                r.Error($"allowMethods[{i}]", $"{SpecReader.Quote(cors.AllowMethods[i])} is not a supported HTTP method");
            }
        }

        foreach (var field in new[] { "allowHeaders", "exposeHeaders" })
        {
            if ((field == "allowHeaders" ? cors.AllowHeaders : cors.ExposeHeaders).Any(h => h.Length == 0))
            {
                r.Error(field, "header name cannot be empty");
            }
        }

        CommonParsers.CheckDuration(r, "maxAge", cors.MaxAge);
        if (cors.MaxAge is { } maxAge && maxAge.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            r.Error("maxAge", "max_age duration is accurate only to seconds precision");
        }

        return cors;
    }

    private static TlsRoute TlsRoute(FieldReader r, ValueList<string> hosts)
    {
        var route = new TlsRoute(r.Messages("match", m => TlsMatch(m, hosts)), r.Messages("route", RouteDestination));
        if (r.CountOf("match") == 0)
        {
            r.Error("match", "TLS route must have at least one match condition");
        }

        if (r.CountOf("route") == 0)
        {
            r.Error("route", "TLS route is required");
        }

        CheckWeights(r, route.Route.Select(d => d.Weight).ToList());
        return route;
    }

    private static TlsMatchAttributes TlsMatch(FieldReader r, ValueList<string> hosts)
    {
        var match = new TlsMatchAttributes(r.Strings("sniHosts"), r.Strings("destinationSubnets"), r.UInt32("port"), r.StringMap("sourceLabels"), r.Strings("gateways"), r.String("sourceNamespace"));
        if (match.SniHosts.IsEmpty)
        {
            r.Error("sniHosts", "TLS match must have at least one SNI host");
        }

        for (var i = 0; i < match.SniHosts.Count; i++)
        {
            var sni = match.SniHosts[i];
            if (IstioValidation.WildcardDomain(sni) is { } error && !IstioValidation.IsIpAddress(sni))
            {
                r.Error($"sniHosts[{i}]", error);
            }
            else if (!hosts.Any(h => HostName.SubsetOf(sni, h)))
            {
                r.Error($"sniHosts[{i}]", $"SNI host {SpecReader.Quote(sni)} is not a compatible subset of any of the virtual service hosts");
            }
        }

        CheckL4(r, match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways);
        return match;
    }

    private static TcpRoute TcpRoute(FieldReader r)
    {
        var route = new TcpRoute(r.Messages("match", TcpMatch), r.Messages("route", RouteDestination));
        if (r.CountOf("route") == 0)
        {
            r.Error("route", "TCP route is required");
        }

        CheckWeights(r, route.Route.Select(d => d.Weight).ToList());
        return route;
    }

    private static L4MatchAttributes TcpMatch(FieldReader r)
    {
        var match = new L4MatchAttributes(r.Strings("destinationSubnets"), r.UInt32("port"), r.String("sourceSubnet"), r.StringMap("sourceLabels"), r.Strings("gateways"), r.String("sourceNamespace"));
        CheckL4(r, match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways);
        return match;
    }

    private static void CheckL4(FieldReader r, ValueList<string> subnets, uint port, ValueMap<string> sourceLabels, ValueList<string> gateways)
    {
        for (var i = 0; i < subnets.Count; i++)
        {
            if (IstioValidation.IpSubnet(subnets[i]) is { } error)
            {
                r.Error($"destinationSubnets[{i}]", error);
            }
        }

        if (port != 0 && IstioValidation.Port(port) is { } portError)
        {
            r.Error("port", portError);
        }

        CommonParsers.CheckLabels(r, "sourceLabels", sourceLabels);
        CommonParsers.CheckGatewayNames(r, "gateways", gateways);
    }
}
