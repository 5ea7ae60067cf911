using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Admission;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Which requests a webhook's rules select.</summary>
public sealed class WebhookRuleMatcherTests
{
    private static readonly ResourceType Pods = ResourceType.Find("", "v1", "pods")!;
    private static readonly ResourceType Namespaces = ResourceType.Find("", "v1", "namespaces")!;

    private static bool Matches(string rule, ResourceType type, string operation = "CREATE", string subresource = "") =>
        WebhookRuleMatcher.Matches(JsonNode.Parse($"[{rule}]"), operation, type, subresource);

    [Theory]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}""", true)]
    [InlineData("""{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"]}""", true)]
    [InlineData("""{"operations":["UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}""", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":["apps"],"apiVersions":["v1"],"resources":["pods"]}""", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v2"],"resources":["pods"]}""", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["services"]}""", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"]}""", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"scope":"Namespaced"}""", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"scope":"Cluster"}""", false)]
    public void Matches_pod_creation(string rule, bool expected) => Matches(rule, Pods).Should().Be(expected);

    [Fact]
    public void Subresources_need_their_own_rule()
    {
        const string Status = """{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"]}""";
        const string All = """{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*/*"]}""";
        const string Resources = """{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*"]}""";
        Matches(Status, Pods, "UPDATE", "status").Should().BeTrue();
        Matches(All, Pods, "UPDATE", "status").Should().BeTrue();
        Matches(Resources, Pods, "UPDATE", "status").Should().BeFalse();
    }

    [Fact]
    public void Namespaces_are_cluster_scoped()
    {
        Matches("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["namespaces"],"scope":"Cluster"}""", Namespaces).Should().BeTrue();
        Matches("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["namespaces"],"scope":"Namespaced"}""", Namespaces).Should().BeFalse();
    }

    [Fact]
    public void No_rules_select_nothing() => WebhookRuleMatcher.Matches(null, "CREATE", Pods).Should().BeFalse();
}
