using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Generation.Ejection;

/// <summary>
/// Routes with the interfaces of InterfaceOutlierDetections laid over them: before each route that
/// sends requests to a cluster with interface clusters, one copy per interface whose match is the
/// route's and the interface's (<see cref="RouteMatchIntersection"/>; none when no request can match
/// both) and whose action is the route's with those clusters replaced by the interface's
/// (<see cref="ClusterNames.Interface"/>). Everything else of the route, its name, weights, retries,
/// timeouts, faults (per-route filter config), mirrors, header changes and hash policies, is copied,
/// so a request of the interface is handled as the route would handle it, only on the interface's
/// cluster. A route splitting between several hosts with policies gets each host's interfaces in
/// destination order, each mapping only its own host's clusters.
/// </summary>
public static class InterfaceRoutes
{
    /// <summary>
    /// The policies whose clusters <paramref name="routes"/> send requests to, in order of first use:
    /// what the expansion depends on besides the routes (memo inputs).
    /// </summary>
    public static IReadOnlyList<InterfacePolicy> PoliciesOf(IEnumerable<Route> routes, InterfaceOutlierIndex index)
    {
        // Most meshes have none: then no cluster name need be parsed (this runs per service, port and scope at every push).
        if (index.Hosts.IsEmpty)
        {
            return [];
        }

        var policies = new List<InterfacePolicy>();
        foreach (var route in routes)
        {
            foreach (var cluster in Clusters(route))
            {
                if (PolicyOf(cluster, index) is { } policy && !policies.Contains(policy))
                {
                    policies.Add(policy);
                }
            }
        }

        return policies;
    }

    /// <summary>
    /// <paramref name="routes"/> with interface routes before those they apply to; the very list
    /// given when none applies.
    /// </summary>
    /// <param name="translate">An interface's HTTPMatchRequest as a route match, as VirtualService matches are translated.</param>
    public static IReadOnlyList<Route> Expand(IReadOnlyList<Route> routes, InterfaceOutlierIndex index, Func<HttpMatchRequest, RouteMatch> translate)
    {
        if (index.Hosts.IsEmpty || PoliciesOf(routes, index).Count == 0)
        {
            return routes;
        }

        var output = new List<Route>(routes.Count * 2);
        foreach (var route in routes)
        {
            foreach (var policy in PoliciesOf([route], index))
            {
                foreach (var iface in policy.Interfaces)
                {
                    if (RouteMatchIntersection.Intersect(route.Match, translate(iface.Match)) is not { } match)
                    {
                        continue;
                    }

                    var copy = route.Clone();
                    copy.Match = match;
                    Remap(copy.Route_, cluster => PolicyOf(cluster, index) == policy ? ClusterNames.Interface(cluster, iface.Name) : cluster);
                    output.Add(copy);
                }
            }

            output.Add(route);
        }

        return output;
    }

    /// <summary>The policy whose interface clusters stand beside <paramref name="cluster"/>, or null.</summary>
    public static InterfacePolicy? PolicyOf(string cluster, InterfaceOutlierIndex index)
    {
        if (ClusterNames.ParseOutbound(cluster) is not { Interface: null } parsed)
        {
            return null;
        }

        var policy = index.For(parsed.Host, parsed.Port);
        return policy is not null && policy.AppliesTo(parsed.Subset) ? policy : null;
    }

    private static IEnumerable<string> Clusters(Route route) => route.ActionCase != Route.ActionOneofCase.Route_
        ? []
        : route.Route_.ClusterSpecifierCase switch
        {
            RouteAction.ClusterSpecifierOneofCase.Cluster => [route.Route_.Cluster],
            RouteAction.ClusterSpecifierOneofCase.WeightedClusters => route.Route_.WeightedClusters.Clusters.Select(c => c.Name),
            _ => [],
        };

    private static void Remap(RouteAction action, Func<string, string> map)
    {
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
                action.Cluster = map(action.Cluster);
                break;
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                foreach (var weighted in action.WeightedClusters.Clusters)
                {
                    weighted.Name = map(weighted.Name);
                }

                break;
        }
    }
}
