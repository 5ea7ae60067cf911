using ControlPlane.XdsServer.Generation.Ejection;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>An interface's match laid over a route's: the requests both take, or none.</summary>
public sealed class RouteMatchIntersectionTests
{
    private static RouteMatch Prefix(string prefix, bool? caseSensitive = null) => new() { Prefix = prefix, CaseSensitive = caseSensitive };

    private static RouteMatch Exact(string path, bool? caseSensitive = null) => new() { Path = path, CaseSensitive = caseSensitive };

    private static RouteMatch Regex(string regex) => new() { SafeRegex = new RegexMatcher { Regex = regex } };

    [Fact]
    public void The_interface_path_replaces_a_route_that_takes_every_path()
    {
        var result = RouteMatchIntersection.Intersect(Prefix("/"), Exact("/pay", caseSensitive: true))!;

        result.Path.Should().Be("/pay");
        result.CaseSensitive.Should().BeTrue();
        result.Headers.Should().BeEmpty();
    }

    [Theory]
    [InlineData("prefix:/api/", "exact:/api/pay", "exact:/api/pay")]
    [InlineData("exact:/api/pay", "prefix:/api/", "exact:/api/pay")]
    [InlineData("prefix:/api/", "prefix:/api/pay", "prefix:/api/pay")]
    [InlineData("prefix:/api/pay", "prefix:/api/", "prefix:/api/pay")]
    [InlineData("exact:/pay", "exact:/pay", "exact:/pay")]
    [InlineData("exact:/pay", "exact:/refund", null)]
    [InlineData("prefix:/api/", "exact:/pay", null)]
    [InlineData("prefix:/api/", "prefix:/web/", null)]
    public void Plain_paths_combine_into_one_path_matcher_or_none(string route, string iface, string? expected)
    {
        var result = RouteMatchIntersection.Intersect(Parse(route), Parse(iface));

        if (expected is null)
        {
            result.Should().BeNull("no request has both paths");
            return;
        }

        result.Should().NotBeNull();
        Describe(result!).Should().Be(expected);
        result!.Headers.Should().BeEmpty();
    }

    [Fact]
    public void Paths_compare_case_insensitively_when_both_ignore_case()
    {
        var result = RouteMatchIntersection.Intersect(Prefix("/API/", caseSensitive: false), Exact("/api/pay", caseSensitive: false))!;

        result.Path.Should().Be("/api/pay");
        result.CaseSensitive.Should().BeFalse();
    }

    [Fact]
    public void A_regex_or_differing_case_becomes_a_path_header_matcher_that_allows_a_query()
    {
        var withRegex = RouteMatchIntersection.Intersect(Regex("/api/.*"), Exact("/api/pay.v1", caseSensitive: true))!;
        var caseDiffers = RouteMatchIntersection.Intersect(Prefix("/api/", caseSensitive: false), Prefix("/api/pay", caseSensitive: true))!;
        var regexInterface = RouteMatchIntersection.Intersect(Prefix("/api/"), Regex("/api/[a-z]+"))!;

        withRegex.SafeRegex.Regex.Should().Be("/api/.*", "the route's path stays");
        PathHeader(withRegex).Should().Be(@"/api/pay\.v1(?:\?.*)?");
        caseDiffers.Prefix.Should().Be("/api/");
        PathHeader(caseDiffers).Should().Be(@"/api/pay[^?]*(?:\?.*)?");
        PathHeader(regexInterface).Should().Be(@"(?:/api/[a-z]+)(?:\?.*)?");
        var ignoringCase = RouteMatchIntersection.Intersect(Regex("/x.*"), Exact("/x y", caseSensitive: false))!;
        PathHeader(ignoringCase).Should().Be(@"(?i)/x\x20y(?:\?.*)?");
        foreach (var match in new[] { withRegex, caseDiffers, regexInterface, ignoringCase })
        {
            ControlPlane.Mesh.Istio.Parsing.Re2Syntax.Check(PathHeader(match)).Should().BeNull("Envoy compiles it with RE2");
        }
    }

    [Fact]
    public void Headers_and_query_parameters_add_up_and_the_route_keeps_everything_else()
    {
        var route = Prefix("/");
        route.Headers.Add(new HeaderMatcher { Name = "x-user", PresentMatch = true });
        route.RuntimeFraction = new Envoy.Config.Core.V3.RuntimeFractionalPercent { RuntimeKey = "k" };
        var iface = Prefix("/");
        iface.Headers.Add(new HeaderMatcher { Name = ":method", PresentMatch = true });
        iface.QueryParameters.Add(new QueryParameterMatcher { Name = "v", PresentMatch = true });

        var result = RouteMatchIntersection.Intersect(route, iface)!;

        result.Headers.Select(h => h.Name).Should().Equal("x-user", ":method");
        result.QueryParameters.Select(q => q.Name).Should().Equal("v");
        result.RuntimeFraction.RuntimeKey.Should().Be("k");
        result.Prefix.Should().Be("/");
        route.Headers.Should().ContainSingle("the inputs are not changed");
    }

    private static RouteMatch Parse(string text) => text.Split(':', 2) switch
    {
        ["prefix", var value] => Prefix(value),
        ["exact", var value] => Exact(value),
        _ => throw new ArgumentException(text),
    };

    private static string Describe(RouteMatch match) => match.PathSpecifierCase switch
    {
        RouteMatch.PathSpecifierOneofCase.Path => "exact:" + match.Path,
        RouteMatch.PathSpecifierOneofCase.Prefix => "prefix:" + match.Prefix,
        _ => match.PathSpecifierCase.ToString(),
    };

#pragma warning disable CS0612, CS0618
    private static string PathHeader(RouteMatch match) => match.Headers.Single(h => h.Name == ":path").SafeRegexMatch.Regex;
#pragma warning restore CS0612, CS0618
}
