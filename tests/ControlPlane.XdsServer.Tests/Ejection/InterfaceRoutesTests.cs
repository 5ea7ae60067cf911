using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Ejection;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Indexes;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// Interface routes before the routes they apply to: the route's action on the interface's clusters,
/// everything else of the route kept, and routes to other hosts untouched.
/// </summary>
public sealed class InterfaceRoutesTests
{
    private const string Payments = "payments.shop.svc.cluster.local";

    private static readonly InterfaceOutlierIndex Index = InterfaceOutlierIndex.Of(IndexMesh.Of(
        "apiVersion: mesh.controlplane.io/v1alpha1\nkind: InterfaceOutlierDetection\nmetadata: {name: payments, namespace: shop}\n" +
        "spec:\n  host: payments\n  port: 8080\n  subsets: [v1, v2]\n  interfaces:\n" +
        "  - {name: pay, match: {uri: {exact: /pay}}, outlierDetection: {consecutive5xxErrors: 3}}\n" +
        "  - {name: refund, match: {uri: {prefix: /refunds/}}, outlierDetection: {consecutive5xxErrors: 3}}\n"));

    private static RouteMatch Translate(HttpMatchRequest match) => match.Uri switch
    {
        { Kind: StringMatchKind.Exact } exact => new RouteMatch { Path = exact.Value, CaseSensitive = true },
        { Kind: StringMatchKind.Prefix } prefix => new RouteMatch { Prefix = prefix.Value, CaseSensitive = true },
        _ => new RouteMatch { Prefix = "/" },
    };

    [Fact]
    public void A_weighted_route_gets_a_route_per_interface_before_it_with_its_action_on_the_interface_clusters()
    {
        var route = new Route
        {
            Name = "canary",
            Match = new RouteMatch { Prefix = "/" },
            Route_ = new RouteAction
            {
                WeightedClusters = new WeightedCluster
                {
                    Clusters =
                    {
                        new WeightedCluster.Types.ClusterWeight { Name = $"outbound|8080|v1|{Payments}", Weight = 90 },
                        new WeightedCluster.Types.ClusterWeight { Name = $"outbound|8080|v2|{Payments}", Weight = 10 },
                    },
                },
                Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)),
                RetryPolicy = new RetryPolicy { NumRetries = 2, RetryOn = "5xx" },
            },
            TypedPerFilterConfig = { ["envoy.filters.http.fault"] = Any.Pack(new Empty()) },
        };

        var routes = InterfaceRoutes.Expand([route], Index, Translate);

        routes.Should().HaveCount(3);
        routes[2].Should().BeSameAs(route);
        routes.Select(r => r.Match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Path ? r.Match.Path : r.Match.Prefix).Should().Equal("/pay", "/refunds/", "/");
        routes[0].Route_.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight)).Should().Equal(
            ($"outbound|8080|v1|{Payments}|interface-pay", 90u), ($"outbound|8080|v2|{Payments}|interface-pay", 10u));
        routes[1].Route_.WeightedClusters.Clusters[0].Name.Should().Be($"outbound|8080|v1|{Payments}|interface-refund");
        foreach (var copy in routes.Take(2))
        {
            copy.Name.Should().Be("canary", "access logs and stats name the VirtualService route");
            copy.Route_.Timeout.Should().Be(route.Route_.Timeout);
            copy.Route_.RetryPolicy.Should().Be(route.Route_.RetryPolicy);
            copy.TypedPerFilterConfig.Keys.Should().Equal("envoy.filters.http.fault");
        }
    }

    [Fact]
    public void Clusters_of_other_hosts_ports_and_subsets_keep_their_names()
    {
        var split = new Route
        {
            Match = new RouteMatch { Prefix = "/" },
            Route_ = new RouteAction
            {
                WeightedClusters = new WeightedCluster
                {
                    Clusters =
                    {
                        new WeightedCluster.Types.ClusterWeight { Name = $"outbound|8080|v1|{Payments}", Weight = 50 },
                        new WeightedCluster.Types.ClusterWeight { Name = "outbound|8080||ledger.shop.svc.cluster.local", Weight = 50 },
                    },
                },
            },
        };
        var otherSubset = new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = $"outbound|8080|v3|{Payments}" } };
        var otherPort = new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = $"outbound|9090||{Payments}" } };

        var routes = InterfaceRoutes.Expand([split, otherSubset, otherPort], Index, Translate);

        routes.Should().HaveCount(5);
        routes[0].Route_.WeightedClusters.Clusters.Select(c => c.Name).Should().Equal($"outbound|8080|v1|{Payments}|interface-pay", "outbound|8080||ledger.shop.svc.cluster.local");
        routes.Skip(2).Should().Equal(split, otherSubset, otherPort);
    }

    [Fact]
    public void A_route_no_interface_request_can_take_gets_no_interface_route_and_routes_without_policies_stay_the_same_list()
    {
        var reports = new Route { Match = new RouteMatch { Prefix = "/reports/" }, Route_ = new RouteAction { Cluster = $"outbound|8080|v1|{Payments}" } };
        var redirect = new Route { Match = new RouteMatch { Prefix = "/" }, Redirect = new RedirectAction { PathRedirect = "/new" } };
        IReadOnlyList<Route> untouched = [redirect, new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = "outbound|80||web.shop.svc.cluster.local" } }];

        InterfaceRoutes.Expand([reports], Index, Translate).Should().Equal(reports);
        InterfaceRoutes.Expand(untouched, Index, Translate).Should().BeSameAs(untouched);
    }
}
