using System.Collections.Immutable;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// A VirtualService's HTTP rules as the Envoy routes of one outbound port, for one sidecar, as
/// istiod 1.10's BuildHTTPRoutesForVirtualService and translateRoute make them. Pure: the same
/// inputs give equal routes.
/// </summary>
public static class HttpRouteTranslator
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ResolvedVirtualService, Destination[]> DestinationsOf = new();

    /// <summary>
    /// Every rule in order, one route per match that applies to the proxy (see
    /// <see cref="RouteScope.Selects(HttpMatchRequest)"/>) and to <paramref name="port"/> (a
    /// match's port, when set); a rule without matches, or a catch-all match, ends the list. Empty
    /// when nothing applies, and then the VirtualService does not claim its hosts for this proxy.
    /// </summary>
    /// <param name="port">The listener port: destinations without a port go to it.</param>
    /// <param name="destinationRules">The DestinationRule the proxy applies to a destination host (null when none), for hash policies.</param>
    public static ImmutableArray<Route> Translate(ResolvedVirtualService vs, int port, RouteScope scope, Func<string, EffectiveDestinationRule?> destinationRules)
    {
        var routes = ImmutableArray.CreateBuilder<Route>();
        var metadata = ConfigMetadata(vs);
        foreach (var rule in vs.Spec.Http)
        {
            if (rule.Match.IsEmpty)
            {
                if (TranslateRule(rule, null, port, scope, destinationRules, metadata) is { } route)
                {
                    routes.Add(route);
                }

                break;
            }

            foreach (var match in rule.Match)
            {
                if (TranslateRule(rule, match, port, scope, destinationRules, metadata) is { } route)
                {
                    routes.Add(route);
                    if (RouteMatches.IsCatchAll(match))
                    {
                        return routes.ToImmutable();
                    }
                }
            }
        }

        return routes.ToImmutable();
    }

    /// <summary>
    /// The distinct destinations the rules route to: the routes depend on DestinationRules only
    /// through the hash policy of each (<see cref="HashPolicies.ForDestination"/>).
    /// </summary>
    public static IReadOnlyList<Destination> Destinations(ResolvedVirtualService vs) =>
        DestinationsOf.GetValue(vs, v => v.Spec.Http.SelectMany(r => r.Route.Select(d => d.Destination)).Distinct().ToArray());

    /// <summary>
    /// The service's route when no VirtualService claims it: everything to its cluster, no timeout,
    /// Istio's default retries, and the hash policy of its DestinationRule's consistentHash.
    /// </summary>
    public static Route Default(string hostname, int port, EffectiveDestinationRule? rule)
    {
        var route = RouteBuilder.DefaultRoute(MeshNames.OutboundCluster(port, hostname));
        if (HashPolicies.ForService(rule, port) is { } hash)
        {
            route.Route_.HashPolicy.Add(hash);
        }

        return route;
    }

    /// <summary>istiod's BuildConfigInfoMetadata: which Istio object made the route.</summary>
    public static Metadata ConfigMetadata(ResolvedVirtualService vs)
    {
        var fields = new Struct();
        fields.Fields["config"] = Value.ForString($"/apis/networking.istio.io/v1alpha3/namespaces/{vs.Key.Namespace}/virtual-service/{vs.Key.Name}");
        return new Metadata { FilterMetadata = { ["istio"] = fields } };
    }

    private static Route? TranslateRule(
        HttpRoute rule, HttpMatchRequest? match, int port, RouteScope scope, Func<string, EffectiveDestinationRule?> destinationRules, Metadata metadata)
    {
        if (match is not null && (!scope.Selects(match) || (match.Port != 0 && match.Port != port)))
        {
            return null;
        }

        var route = new Route
        {
            Match = RouteMatches.Translate(match),
            Metadata = metadata,
            Name = string.IsNullOrEmpty(match?.Name) ? rule.Name ?? string.Empty : $"{rule.Name}.{match.Name}",
        };

        var headers = HeaderChanges.Of(rule.Headers);
        route.RequestHeadersToAdd.AddRange(headers.RequestToAdd);
        route.ResponseHeadersToAdd.AddRange(headers.ResponseToAdd);
        route.RequestHeadersToRemove.AddRange(headers.RequestToRemove);
        route.ResponseHeadersToRemove.AddRange(headers.ResponseToRemove);

        if (rule.Redirect is { } redirect)
        {
            if (Redirect(redirect) is not { } action)
            {
                // istiod 1.10 would send a route without an action here, which Envoy rejects.
                return null;
            }

            route.Redirect = action;
        }
        else
        {
            route.Route_ = Action(rule, port, headers, route, destinationRules);
        }

        if (rule.Fault is { } fault && FaultTranslation.Translate(fault) is { } filterConfig)
        {
            route.TypedPerFilterConfig[FaultTranslation.FilterName] = Any.Pack(filterConfig);
        }

        return route;
    }

    private static RouteAction Action(HttpRoute rule, int port, HeaderChanges headers, Route route, Func<string, EffectiveDestinationRule?> destinationRules)
    {
        var timeout = Duration.FromTimeSpan(rule.Timeout ?? TimeSpan.Zero);
        var action = new RouteAction
        {
            RetryPolicy = RetryPolicies.Convert(rule.Retries),
            Timeout = timeout,
            PrefixRewrite = rule.Rewrite?.Uri ?? string.Empty,
        };
#pragma warning disable CS0612, CS0618 // istiod 1.10 writes the deprecated max_grpc_timeout and RouteAction.cors
        action.MaxGrpcTimeout = timeout;
        if (rule.CorsPolicy is { } cors)
        {
            action.Cors = CorsTranslation.Translate(cors);
        }
#pragma warning restore CS0612, CS0618

        var authority = !string.IsNullOrEmpty(rule.Rewrite?.Authority) ? rule.Rewrite.Authority : headers.Authority;
        if (authority.Length > 0)
        {
            action.HostRewriteLiteral = authority;
        }

        if (rule.Mirror is { } mirror && MirrorFraction(rule) is { } fraction)
        {
            action.RequestMirrorPolicies.Add(new RouteAction.Types.RequestMirrorPolicy
            {
                Cluster = DestinationClusters.For(mirror, port),
                RuntimeFraction = new RuntimeFractionalPercent { DefaultValue = fraction },
                TraceSampled = false,
            });
        }

        var weighted = new List<WeightedCluster.Types.ClusterWeight>();
        foreach (var destination in rule.Route)
        {
            var weight = destination.Weight;
            if (weight == 0)
            {
                // A lone destination takes everything; weight 0 next to others takes nothing.
                if (rule.Route.Count != 1)
                {
                    continue;
                }

                weight = 100;
            }

            var changes = HeaderChanges.Of(destination.Headers);
            var cluster = new WeightedCluster.Types.ClusterWeight
            {
                Name = DestinationClusters.For(destination.Destination, port),
                Weight = (uint)weight,
            };
            cluster.RequestHeadersToAdd.AddRange(changes.RequestToAdd);
            cluster.RequestHeadersToRemove.AddRange(changes.RequestToRemove);
            cluster.ResponseHeadersToAdd.AddRange(changes.ResponseToAdd);
            cluster.ResponseHeadersToRemove.AddRange(changes.ResponseToRemove);
            weighted.Add(cluster);

            if (HashPolicies.ForDestination(destinationRules(destination.Destination.Host), destination.Destination) is { } hash)
            {
                action.HashPolicy.Add(hash);
            }
        }

        if (weighted.Count == 1)
        {
            var only = weighted[0];
            action.Cluster = only.Name;
            route.RequestHeadersToAdd.AddRange(only.RequestHeadersToAdd);
            route.RequestHeadersToRemove.AddRange(only.RequestHeadersToRemove);
            route.ResponseHeadersToAdd.AddRange(only.ResponseHeadersToAdd);
            route.ResponseHeadersToRemove.AddRange(only.ResponseHeadersToRemove);
        }
        else
        {
            action.WeightedClusters = new WeightedCluster { Clusters = { weighted } };
        }

        return action;
    }

    /// <summary>istiod's mirrorPercent: mirrorPercentage, else the deprecated mirrorPercent, else all; an explicit 0 mirrors nothing (null).</summary>
    private static Envoy.Type.V3.FractionalPercent? MirrorFraction(HttpRoute rule)
    {
        if (rule.MirrorPercentage is { } percentage)
        {
            return percentage.Value > 0 ? Percentages.FromPercent(percentage) : null;
        }

        if (rule.MirrorPercent is { } percent)
        {
            return percent > 0 ? Percentages.FromInteger((int)percent) : null;
        }

        return Percentages.FromInteger(100);
    }

    /// <summary>The redirect with Envoy's response code; null for a code Envoy's enum does not have.</summary>
    private static RedirectAction? Redirect(HttpRedirect redirect)
    {
        RedirectAction.Types.RedirectResponseCode? code = redirect.RedirectCode switch
        {
            0 or 301 => RedirectAction.Types.RedirectResponseCode.MovedPermanently,
            302 => RedirectAction.Types.RedirectResponseCode.Found,
            303 => RedirectAction.Types.RedirectResponseCode.SeeOther,
            307 => RedirectAction.Types.RedirectResponseCode.TemporaryRedirect,
            308 => RedirectAction.Types.RedirectResponseCode.PermanentRedirect,
            _ => null,
        };
        if (code is null)
        {
            return null;
        }

        return new RedirectAction
        {
            HostRedirect = redirect.Authority ?? string.Empty,
            PathRedirect = redirect.Uri ?? string.Empty,
            ResponseCode = code.Value,
        };
    }
}
