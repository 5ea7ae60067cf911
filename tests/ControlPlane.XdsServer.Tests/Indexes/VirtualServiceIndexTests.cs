using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>
/// Expectations from istiod 1.10's pilot/pkg/model: push_context.go (initVirtualServices,
/// VirtualServicesForGateway), virtualservice.go (resolveVirtualServiceShortnames,
/// mergeVirtualServicesIfNeeded), config.go (sortConfigByCreationTime, resolveGatewayName) and
/// route.go's separateVSHostsAndServices.
/// </summary>
public sealed class VirtualServiceIndexTests
{
    private const string Host = "reviews.app.svc.cluster.local";
    private const string Rules = "  http:\n  - route:\n    - destination: {host: reviews}\n";

    private static string Vs(string ns, string name, int second, string extra = "", string host = Host) =>
        IstioObject("VirtualService", ns, name, $"  hosts: [\"{host}\"]\n{extra}{Rules}", second);

    [Fact]
    public void Resolved_virtual_services_read_alike_from_two_snapshots_are_equal_and_hash_alike_and_differ_when_their_spec_does()
    {
        var one = VirtualServiceIndex.Of(Of(Vs("app", "a", 1))).ForSidecar("app").Single();
        var again = VirtualServiceIndex.Of(Of(Vs("app", "a", 1))).ForSidecar("app").Single();
        var other = VirtualServiceIndex.Of(Of(Vs("app", "a", 1, "  exportTo: [\"*\"]\n"))).ForSidecar("app").Single();

        again.Should().NotBeSameAs(one);
        again.Should().Be(one);
        again.GetHashCode().Should().Be(one.GetHashCode());
        one.GetHashCode().Should().Be(one.GetHashCode(), "the cached hash is the hash");
        other.Should().NotBe(one);
        new HashSet<ResolvedVirtualService> { one, again, other }.Should().HaveCount(2);
    }

    [Fact]
    public void A_namespace_sees_its_private_then_exported_then_public_ones_each_oldest_first()
    {
        var mesh = Of(
            Vs("app", "b", 2),
            Vs("app", "a", 2),
            Vs("other", "old", 1),
            Vs("app", "mine", 9, "  exportTo: [.]\n"),
            Vs("other", "shared", 8, "  exportTo: [app]\n"),
            Vs("other", "hidden", 0, "  exportTo: [.]\n"));
        var index = VirtualServiceIndex.Of(mesh);

        Keys(index.ForSidecar("app")).Should().Equal("app/mine", "other/shared", "other/old", "app/a", "app/b");
        Keys(index.ForSidecar("third")).Should().Equal("other/old", "app/a", "app/b");
        Keys(index.ForSidecar("other")).Should().Equal("other/hidden", "other/old", "app/a", "app/b");
        Keys(index.ForHost("app", Host)).Should().Equal("app/mine", "other/shared", "other/old", "app/a", "app/b");
    }

    [Fact]
    public void Short_names_resolve_in_the_virtual_service_namespace()
    {
        var mesh = Of(IstioObject("VirtualService", "bookinfo", "reviews",
            "  hosts: [reviews]\n  gateways: [mesh, my-gw, gw.istio-system.svc.cluster.local, ./local-gw]\n  http:\n  - route:\n    - destination: {host: ratings}\n    mirror: {host: mirror}\n"));
        var index = VirtualServiceIndex.Of(mesh);

        var vs = index.ForHost("bookinfo", "reviews.bookinfo.svc.cluster.local").Should().ContainSingle().Subject;
        vs.Spec.Hosts.Should().Equal("reviews.bookinfo.svc.cluster.local");
        vs.Spec.Gateways.Should().Equal("mesh", "bookinfo/my-gw", "istio-system/gw", "bookinfo/local-gw");
        vs.Spec.Http[0].Route[0].Destination.Host.Should().Be("ratings.bookinfo.svc.cluster.local");
        vs.Spec.Http[0].Mirror!.Host.Should().Be("mirror.bookinfo.svc.cluster.local");
        vs.Source.Spec.Hosts.Should().Equal("reviews");
    }

    [Fact]
    public void A_wildcard_host_covers_the_services_under_it()
    {
        var index = VirtualServiceIndex.Of(Of(Vs("app", "wild", 0, host: "*.example.com")));

        index.ForHost("app", "api.example.com").Should().ContainSingle();
        index.ForHost("app", "example.com").Should().BeEmpty();
    }

    [Fact]
    public void Gateway_bound_ones_are_kept_for_their_gateways_and_not_given_to_sidecars()
    {
        var index = VirtualServiceIndex.Of(Of(
            Vs("app", "ingress-only", 0, "  gateways: [istio-system/ingress]\n"),
            Vs("app", "both", 1, "  gateways: [mesh, istio-system/ingress]\n")));

        Keys(index.ForSidecar("app")).Should().Equal("app/both");
        Keys(index.ForGateway("istio-system", "istio-system/ingress")).Should().Equal("app/ingress-only", "app/both");
    }

    [Fact]
    public void A_root_takes_its_delegates_rules_merged_into_its_delegating_rule()
    {
        var mesh = Of(Root(), Delegate(exportTo: ""));
        var index = VirtualServiceIndex.Of(mesh);

        var root = index.ForHost("root", "bookinfo.example.com").Should().ContainSingle().Subject;
        root.Delegates.Select(d => d.Key.ToString()).Should().Equal("team/reviews");
        index.All.Select(v => v.Key.ToString()).Should().Equal("root/bookinfo");
        index.DelegatesByRoot[new ObjectKey("root", "bookinfo")].Should().Equal(new ObjectKey("team", "reviews"));
        var http = root.Spec.Http;
        http.Select(r => r.Name).Should().Equal("reviews-v1", "reviews-catch", "default");
        http[0].Match.Should().ContainSingle().Which.Uri.Should().Be(StringMatch.Exact("/reviews/v1"));
        http[0].Match[0].Name.Should().Be("root-match");
        http[0].Route[0].Destination.Host.Should().Be("reviews-v1.team.svc.cluster.local", "the delegate's short names resolve in its own namespace");
        http[0].Timeout.Should().Be(TimeSpan.FromSeconds(5), "the root rule fills what the delegate rule leaves unset");
        http[0].Delegate.Should().BeNull();
        http[1].Match.Should().ContainSingle().Which.Uri.Should().Be(StringMatch.Prefix("/reviews"));
        http[1].Timeout.Should().Be(TimeSpan.FromSeconds(1));
        index.HostsAffectedBy(new ObjectKey("team", "reviews")).Should().Equal("bookinfo.example.com");
    }

    [Fact]
    public void A_delegate_not_exported_to_the_root_namespace_is_not_merged()
    {
        var index = VirtualServiceIndex.Of(Of(Root(), Delegate(exportTo: "  exportTo: [.]\n")));

        index.All.Should().ContainSingle().Which.Spec.Http.Select(r => r.Name).Should().Equal("default");
    }

    [Fact]
    public void Unchanged_virtual_services_resolve_to_the_same_instances_in_the_next_snapshot()
    {
        var mesh = new IndexMesh();
        var first = VirtualServiceIndex.Of(mesh.Set(Root(), Delegate(exportTo: ""), Vs("app", "plain", 0)));
        var second = VirtualServiceIndex.Of(mesh.Set(Root(), Delegate(exportTo: ""), Vs("app", "plain", 0), Vs("app", "new", 1)));
        var third = VirtualServiceIndex.Of(mesh.Set(Root(), Delegate(exportTo: "", timeout: "  - name: extra\n    route:\n    - destination: {host: extra}\n"), Vs("app", "plain", 0), Vs("app", "new", 1)));

        second.Should().NotBeSameAs(first);
        second.All.Single(v => v.Key.Name == "plain").Should().BeSameAs(first.All.Single(v => v.Key.Name == "plain"));
        second.All.Single(v => v.Key.Name == "bookinfo").Should().BeSameAs(first.All.Single(v => v.Key.Name == "bookinfo"));
        third.All.Single(v => v.Key.Name == "bookinfo").Should().NotBeSameAs(second.All.Single(v => v.Key.Name == "bookinfo"), "its delegate changed");
        third.All.Single(v => v.Key.Name == "plain").Should().BeSameAs(first.All.Single(v => v.Key.Name == "plain"));
    }

    private static string Root() => IstioObject("VirtualService", "root", "bookinfo", """
          hosts: [bookinfo.example.com]
          http:
          - match:
            - name: root-match
              uri: {prefix: /reviews}
            delegate: {name: reviews, namespace: team}
            timeout: 1s
          - name: default
            route:
            - destination: {host: productpage}
        """);

    private static string Delegate(string exportTo, string timeout = "") => IstioObject("VirtualService", "team", "reviews", $$"""
          http:
          - name: reviews-v1
            match:
            - uri: {exact: /reviews/v1}
            timeout: 5s
            route:
            - destination: {host: reviews-v1}
          - match:
            - uri: {prefix: /other}
            route:
            - destination: {host: other}
          - name: reviews-catch
            route:
            - destination: {host: reviews}
        {{timeout}}{{exportTo}}
        """);

    private static IEnumerable<string> Keys(IEnumerable<ResolvedVirtualService> list) => list.Select(v => v.Key.ToString());
}
