using ControlPlane.XdsServer.Generation.Indexes;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>
/// Expectations from istiod 1.10's pilot/pkg/model: push_context.go (SetDestinationRules,
/// DestinationRule, getExportedDestinationRuleFromNamespace), destination_rule.go
/// (mergeDestinationRule) and config.go (MostSpecificHostMatch), with rule inheritance off.
/// </summary>
public sealed class DestinationRuleIndexTests
{
    private const string Host = "reviews.app.svc.cluster.local";

    private static string Dr(string ns, string name, string host = Host, string extra = "", int second = 0) =>
        IstioObject("DestinationRule", ns, name, $"  host: \"{host}\"\n  subsets:\n  - {{name: {name}, labels: {{rule: {name}}}}}\n{extra}", second);

    [Fact]
    public void The_proxy_namespace_comes_first_then_the_service_namespace_then_the_root_namespace()
    {
        var index = DestinationRuleIndex.Of(Of(
            Dr("client", "client-rule"),
            Dr("app", "app-rule"),
            Dr("istio-system", "root-rule")));

        Name(index.For("client", Host, "app")).Should().Be("client-rule");
        Name(index.For("third", Host, "app")).Should().Be("app-rule");
        Name(index.For("third", Host, null)).Should().Be("root-rule", "without the service's namespace only the root namespace is left");
    }

    [Fact]
    public void Exported_rules_apply_only_to_the_namespaces_they_are_exported_to()
    {
        var index = DestinationRuleIndex.Of(Of(Dr("app", "for-client", extra: "  exportTo: [client]\n"), Dr("app", "private", host: "ratings.app.svc.cluster.local", extra: "  exportTo: [.]\n")));

        Name(index.For("client", Host, "app")).Should().Be("for-client");
        index.For("third", Host, "app").Should().BeNull();
        index.For("app", Host, "app").Should().BeNull("exported to client only, istiod files it neither as local to its namespace nor as exported there");
        Name(index.For("app", "ratings.app.svc.cluster.local", "app")).Should().Be("private");
        index.For("client", "ratings.app.svc.cluster.local", "app").Should().BeNull();
    }

    [Fact]
    public void The_exact_host_wins_over_wildcards_and_the_longer_wildcard_over_the_shorter()
    {
        var index = DestinationRuleIndex.Of(Of(
            Dr("app", "all-local", host: "*.local"),
            Dr("app", "app-wildcard", host: "*.app.svc.cluster.local"),
            Dr("app", "exact"),
            Dr("istio-system", "root-exact", host: "ratings.app.svc.cluster.local")));

        Name(index.For("third", Host, "app")).Should().Be("exact");
        Name(index.For("third", "details.app.svc.cluster.local", "app")).Should().Be("app-wildcard");
        Name(index.For("third", "web.other.svc.cluster.local", "app")).Should().Be("all-local");
        Name(index.For("third", "ratings.app.svc.cluster.local", "app")).Should().Be("app-wildcard", "the service's namespace is searched before the root namespace");
    }

    [Fact]
    public void Rules_for_one_host_in_one_namespace_merge_oldest_first()
    {
        var index = DestinationRuleIndex.Of(Of(
            IstioObject("DestinationRule", "app", "newer", "  host: reviews\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n  subsets:\n  - {name: v1, labels: {version: newer}}\n  - {name: v2, labels: {version: v2}}\n", 5),
            IstioObject("DestinationRule", "app", "older", "  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n", 1)));

        var rule = index.For("app", Host, "app")!;
        rule.Source.Key.Name.Should().Be("older");
        rule.Rules.Select(r => r.Key.Name).Should().Equal("older", "newer");
        rule.Spec.Host.Should().Be(Host, "short names resolve in the rule's namespace");
        rule.Spec.Subsets.Select(s => (s.Name, s.Labels["version"])).Should().Equal(("v1", "v1"), ("v2", "v2"));
        rule.Spec.TrafficPolicy!.LoadBalancer!.Simple.Should().Be(ControlPlane.Mesh.Model.Istio.SimpleLb.Random, "the older rule has no traffic policy");
        index.SubsetLabels("app", Host, "app", "v2")!.Value["version"].Should().Be("v2");
        index.SubsetLabels("app", Host, "app", "v9").Should().BeNull();
    }

    [Fact]
    public void A_proxy_in_the_root_namespace_sees_the_root_namespace_private_rules_first()
    {
        var index = DestinationRuleIndex.Of(Of(Dr("istio-system", "root-private", extra: "  exportTo: [.]\n"), Dr("app", "app-rule")));

        Name(index.For("istio-system", Host, "app")).Should().Be("root-private");
        Name(index.For("third", Host, "app")).Should().Be("app-rule");
    }

    [Fact]
    public void Unchanged_rules_give_the_same_instance_in_the_next_snapshot()
    {
        var mesh = new IndexMesh();
        var first = DestinationRuleIndex.Of(mesh.Set(Dr("app", "app-rule")));
        var second = DestinationRuleIndex.Of(mesh.Set(Dr("app", "app-rule"), Dr("app", "other", host: "ratings")));

        second.For("third", Host, "app").Should().BeSameAs(first.For("third", Host, "app"));
    }

    private static string? Name(EffectiveDestinationRule? rule) => rule?.Source.Key.Name;
}
