using ControlPlane.XdsServer.Generation.Routing;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Google.Protobuf.WellKnownTypes;
using HashPolicy = Envoy.Config.Route.V3.RouteAction.Types.HashPolicy;

namespace ControlPlane.XdsServer.Generation.Grpc;

/// <summary>
/// A sidecar's route (as the VirtualService translation makes it for Envoy) reshaped into what
/// @grpc/grpc-js-xds 1.14 reads and accepts: it NACKs a whole route configuration for a redirect
/// or direct response, a fault config without percentages, or a retry count of 0, and it
/// ignores most of what Envoy reads, so those fields are left out rather than sent as if they
/// worked. See docs/traffic.md (its proxyless gRPC column) for each field.
/// </summary>
public static class GrpcRouteAdaptation
{
    /// <summary>The gRPC status codes, by Envoy's retry_on names, that the client retries (gRFC A44).</summary>
    private static readonly string[] GrpcRetryOn = ["cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"];

    /// <summary>gRPC's hash key for "every call of one channel to one host" (gRFC A42).</summary>
    private const string ChannelIdKey = "io.grpc.channel_id";

    /// <summary>
    /// The route for the proxyless client, or null when the client could never match it (a query
    /// parameter condition: gRPC requests have none) or act on it (a redirect). Kept: name, path
    /// match (a catch-all prefix "/" becomes "", as istiod 1.10's gRPC generator writes it), header
    /// matchers (one without a kind becomes presence, as Envoy reads it), cluster or weighted
    /// clusters (names and weights), header hash policies (source IP becomes the channel id), the
    /// retry policy's gRPC conditions and count, the timeout as <c>max_stream_duration</c>, and the
    /// fault filter's per-route config, which every route carries (see <see cref="FaultConfig"/>).
    /// </summary>
    public static Route? Adapt(Route route)
    {
        if (route.ActionCase != Route.ActionOneofCase.Route_ || route.Match is null || route.Match.QueryParameters.Count > 0)
        {
            return null;
        }

        var output = new Route { Name = route.Name, Match = Match(route.Match), Route_ = Action(route.Route_) };
        if (output.Route_ is null)
        {
            return null;
        }

        route.TypedPerFilterConfig.TryGetValue(FaultTranslation.FilterName, out var fault);
        output.TypedPerFilterConfig[FaultTranslation.FilterName] = Any.Pack(FaultConfig(fault));
        return output;
    }

    private static RouteMatch Match(RouteMatch match)
    {
        var output = new RouteMatch();
        switch (match.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.Path:
                output.Path = match.Path;
                break;
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                output.SafeRegex = match.SafeRegex.Clone();
                break;
            default:
                output.Prefix = match.Prefix == "/" ? string.Empty : match.Prefix;
                break;
        }

        if (match.CaseSensitive is false)
        {
            output.CaseSensitive = false;
        }

        foreach (var header in match.Headers)
        {
            var copy = header.Clone();
            if (copy.HeaderMatchSpecifierCase == HeaderMatcher.HeaderMatchSpecifierOneofCase.None)
            {
                // Envoy reads a matcher without a kind as presence; the client would match nothing.
                copy.PresentMatch = true;
            }

            output.Headers.Add(copy);
        }

        return output;
    }

    private static RouteAction? Action(RouteAction action)
    {
        var output = new RouteAction();
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
                output.Cluster = action.Cluster;
                break;
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                var weighted = new WeightedCluster();
                weighted.Clusters.AddRange(action.WeightedClusters.Clusters.Select(c => new WeightedCluster.Types.ClusterWeight { Name = c.Name, Weight = c.Weight }));
                output.WeightedClusters = weighted;
                break;
            default:
                return null;
        }

        output.HashPolicy.AddRange(action.HashPolicy.Select(HashPolicyFor).OfType<HashPolicy>());
        if (RetryPolicy(action.RetryPolicy) is { } retries)
        {
            output.RetryPolicy = retries;
        }

        if (action.Timeout is { } timeout && timeout.ToTimeSpan() > TimeSpan.Zero)
        {
            output.MaxStreamDuration = new RouteAction.Types.MaxStreamDuration { MaxStreamDuration_ = timeout.Clone(), GrpcTimeoutHeaderMax = timeout.Clone() };
        }

        return output;
    }

    /// <summary>Header hashing as is; source IP as the channel id (one client's calls to one host); cookies and query parameters have no gRPC counterpart.</summary>
    private static HashPolicy? HashPolicyFor(HashPolicy policy) => policy.PolicySpecifierCase switch
    {
        HashPolicy.PolicySpecifierOneofCase.Header => new HashPolicy { Header = new HashPolicy.Types.Header { HeaderName = policy.Header.HeaderName }, Terminal = policy.Terminal },
        HashPolicy.PolicySpecifierOneofCase.ConnectionProperties when policy.ConnectionProperties.SourceIp =>
            new HashPolicy { FilterState = new HashPolicy.Types.FilterState { Key = ChannelIdKey }, Terminal = policy.Terminal },
        _ => null,
    };

    /// <summary>
    /// The retry conditions the client knows (gRPC status names) and the retry count (unset: one, as
    /// in Envoy); null when no condition is left or the count is 0, which the client refuses.
    /// </summary>
    private static RetryPolicy? RetryPolicy(RetryPolicy? policy)
    {
        if (policy is null || policy.NumRetries == 0)
        {
            return null;
        }

        var conditions = policy.RetryOn.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(c => GrpcRetryOn.Contains(c, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return conditions.Count == 0 ? null : new RetryPolicy { RetryOn = string.Join(',', conditions), NumRetries = policy.NumRetries };
    }

    /// <summary>
    /// The route's fault filter config: its delay and abort where the client accepts them (each needs
    /// a percentage; Envoy reads an unset one as 0%, so such a part never fires there and is left
    /// out here), and always max_active_faults unlimited, the default of Envoy and of the client.
    /// </summary>
    /// <remarks>
    /// Every route carries one, even without faults, and it always ends with max_active_faults:
    /// @grpc/grpc-js-xds 1.14.1 takes a route configuration update for unchanged when the previous
    /// one's values all reappear in it (it compares maps over the previous keys and bytes over the
    /// previous length), so a fault added to a route without a per-route config, or an abort added
    /// after a delay, would be ignored until something else changed. With the key always present
    /// and the same last field, no config's bytes are a prefix of another's.
    /// </remarks>
    private static HTTPFault FaultConfig(Any? packed)
    {
        var output = new HTTPFault { MaxActiveFaults = uint.MaxValue };
        if (packed is null || !packed.TryUnpack<HTTPFault>(out var fault))
        {
            return output;
        }

        if (fault.Delay is { Percentage: not null } delay)
        {
            output.Delay = delay.Clone();
        }

        if (fault.Abort is { Percentage: not null } abort)
        {
            output.Abort = abort.Clone();
        }

        return output;
    }
}
