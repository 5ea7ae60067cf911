using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Tests.Mosn;

/// <summary>
/// What a MOSN sidecar does with the routes it is sent, through <see cref="MosnRouteModel"/> (MOSN's
/// converter and router as far as they read routes): requests go where Envoy would send them, or,
/// for conditions MOSN cannot evaluate, the rule is left out rather than applied wrongly. The same
/// requests through Envoy's routes show what MOSN would have done without the reshaping.
/// </summary>
public sealed class MosnRoutingTests
{
    private static readonly string GoldenInput = Path.Combine(ControlPlane.Tests.Shared.RepositoryRoot.Path, "tests", "ControlPlane.XdsServer.Tests", "golden", "vs-mosn", "input.yaml");

    [Fact]
    public void Header_matchers_behave_as_in_envoy()
    {
        var request = Http("/", method: "POST", ("x-tier", "gold.member"), ("x-trace", "t-42"), ("x-user", "jason"), ("x-present", "yes"));

        Cluster(Reviews(mosn: true), request).Should().Be("outbound|9080|v2|reviews.default.svc.cluster.local");
        Cluster(Reviews(mosn: false), request).Should().NotBe("outbound|9080|v2|reviews.default.svc.cluster.local", "MOSN reads a prefix or presence matcher as an exact match of \"\"");
    }

    [Fact]
    public void Regexes_match_the_whole_value_as_in_envoy()
    {
        var partialHeader = Http("/", method: "POST", ("x-tier", "gold.member"), ("x-trace", "xt-42y"), ("x-user", "jason"), ("x-present", "yes"));
        var partialPath = Http("/v1/items/extra");

        Cluster(Reviews(mosn: true), partialHeader).Should().Be("outbound|9080|v1|reviews.default.svc.cluster.local");
        Cluster(Reviews(mosn: true), partialPath).Should().Be("outbound|9080|v1|reviews.default.svc.cluster.local");
        Cluster(Reviews(mosn: false), partialPath).Should().Be("outbound|9080|v3|reviews.default.svc.cluster.local", "MOSN matches an unanchored regex anywhere in the path");
    }

    [Fact]
    public void A_case_insensitive_prefix_matches_any_case()
    {
        Cluster(Reviews(mosn: true), Http("/api/items")).Should().Be("outbound|9080|v3|reviews.default.svc.cluster.local");
        Cluster(Reviews(mosn: false), Http("/api/items")).Should().Be(
            "outbound|9080|canary|reviews.default.svc.cluster.local",
            "MOSN ignores case_sensitive (so /API misses) and query parameters (so the rule for ?debug=1 takes every request)");
    }

    [Fact]
    public void Conditions_mosn_cannot_evaluate_leave_their_rule_out()
    {
        var excluded = Http("/", ("x-canary", "1"));

        Cluster(Reviews(mosn: true), excluded).Should().Be("outbound|9080|v1|reviews.default.svc.cluster.local", "withoutHeaders x-canary=1 keeps the request off the canary");
        Cluster(Reviews(mosn: false), excluded).Should().Be("outbound|9080|canary|reviews.default.svc.cluster.local", "MOSN ignores invert_match, and sends exactly the excluded requests there");
    }

    [Fact]
    public void A_redirect_code_mosn_refuses_is_sent_as_301()
    {
        var redirect = MosnRouteModel.Match(Reviews(mosn: true), Http("/old"))!.Redirect;

        redirect.PathRedirect.Should().Be("/new");
        var refused = () => MosnRouteModel.Match(Config(mosn: false, "9080"), Http("/old"));
        refused.Should().Throw<InvalidOperationException>("MOSN reads Envoy's enum value for 302 (1) as the code, and refuses the configuration");
    }

    [Fact]
    public void Rpc_requests_without_host_or_path_are_routed_on_a_sniffed_port()
    {
        var rpc = Config(mosn: true, "rpc.default.svc.cluster.local:12200");
        var echo = new MosnRouteModel.Request(null, null, null, new Dictionary<string, string> { ["service"] = "com.example.EchoService" });
        var other = new MosnRouteModel.Request(null, null, null, new Dictionary<string, string> { ["service"] = "com.example.Other" });

        Cluster(rpc, echo).Should().Be("outbound|12200|echo|rpc.default.svc.cluster.local");
        Cluster(rpc, other).Should().Be("outbound|12200||rpc.default.svc.cluster.local");
        Cluster(rpc, Http("/anything")).Should().Be("outbound|12200||rpc.default.svc.cluster.local", "HTTP on the same port still routes");
        MosnRouteModel.Match(Config(mosn: false, "rpc.default.svc.cluster.local:12200"), echo).Should().BeNull("without a host MOSN finds no virtual host, and a prefix route needs a path");
    }

    private static MosnRouteModel.Request Http(string path, params (string Name, string Value)[] headers) => Http(path, "GET", headers);

    private static MosnRouteModel.Request Http(string path, string method, params (string Name, string Value)[] headers) =>
        new("reviews:9080", path, method, headers.ToDictionary(h => h.Name, h => h.Value));

    private static string? Cluster(RouteConfiguration config, MosnRouteModel.Request request) => MosnRouteModel.Match(config, request)?.Route_?.Cluster;

    /// <summary>
    /// Route 9080 for MOSN; or, to show what MOSN would make of Envoy's routes, Envoy's without its
    /// redirect rule (with it, MOSN refuses the whole configuration; see the redirect test).
    /// </summary>
    private static RouteConfiguration Reviews(bool mosn)
    {
        var config = Config(mosn, "9080");
        if (!mosn)
        {
            foreach (var host in config.VirtualHosts)
            {
                var kept = host.Routes.Where(r => r.Redirect is null).ToList();
                host.Routes.Clear();
                host.Routes.AddRange(kept);
            }
        }

        return config;
    }

    private static RouteConfiguration Config(bool mosn, string name)
    {
        var mesh = IndexMesh.Of(File.ReadAllText(GoldenInput));
        var node = mosn ? TestNodes.Mosn() : TestNodes.Sidecar();
        return new ConfigGenerator().Generate(mesh, ProxyViews.For(NodeParser.Parse(node), mesh)).Routes.Find(name)!.Body.Unpack<RouteConfiguration>();
    }
}
