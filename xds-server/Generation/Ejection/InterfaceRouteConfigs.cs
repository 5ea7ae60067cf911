using System.Runtime.CompilerServices;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Routing;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Generation.Ejection;

/// <summary>
/// Whole route configurations with interface routes (<see cref="InterfaceRoutes"/>) in every virtual
/// host: for route configurations built elsewhere in one piece, such as proxyless gRPC's. Memoized
/// by the resource and the policies it depends on; the very resource when none applies.
/// </summary>
internal static class InterfaceRouteConfigs
{
    private static readonly ConditionalWeakTable<XdsResource, Entry> Memo = new();

    public static XdsResource With(XdsResource routeConfig, InterfaceOutlierIndex index)
    {
        if (index.Hosts.IsEmpty)
        {
            return routeConfig;
        }

        var config = routeConfig.Body.Unpack<RouteConfiguration>();
        var policies = InterfaceRoutes.PoliciesOf(config.VirtualHosts.SelectMany(h => h.Routes), index);
        if (policies.Count == 0)
        {
            return routeConfig;
        }

        if (Memo.TryGetValue(routeConfig, out var cached) && cached.Policies.SequenceEqual(policies))
        {
            return cached.Result;
        }

        foreach (var host in config.VirtualHosts)
        {
            var routes = InterfaceRoutes.Expand(host.Routes.ToList(), index, RouteMatches.Translate);
            host.Routes.Clear();
            host.Routes.AddRange(routes);
        }

        var result = XdsResource.Create(routeConfig.Name, config);
        Memo.AddOrUpdate(routeConfig, new Entry(policies, result));
        return result;
    }

    private sealed record Entry(IReadOnlyList<InterfacePolicy> Policies, XdsResource Result);
}
