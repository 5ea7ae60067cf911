using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

public sealed class WebhookTests
{
    private const string NamespaceHook = "namespace.sidecar-injector.mesh.controlplane.io";
    private const string RevisionNamespaceHook = "rev.namespace.sidecar-injector.mesh.controlplane.io";
    private const string ObjectHook = "object.sidecar-injector.mesh.controlplane.io";
    private const string RevisionObjectHook = "rev.object.sidecar-injector.mesh.controlplane.io";

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Every_webhook_sends_pod_creations_to_the_operator_service(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);
        var configuration = chart.Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);
        var expectedPolicy = valueSet == ValueSets.Canary.Name ? "Ignore" : "Fail";

        configuration.Webhooks.Should().NotBeEmpty();
        foreach (var webhook in configuration.Webhooks)
        {
            webhook.ClientConfig.Url.Should().BeNull();
            webhook.ClientConfig.Service.Should().BeEquivalentTo(new Admissionregistrationv1ServiceReference
            {
                Name = ChartNames.Operator, NamespaceProperty = ChartNames.Namespace, Path = "/inject", Port = 443,
            });
            webhook.ClientConfig.CaBundle.Should().BeNullOrEmpty("the operator writes the caBundle");
            var rule = webhook.Rules.Should().ContainSingle().Subject;
            rule.Operations.Should().Equal("CREATE");
            rule.ApiGroups.Should().Equal("");
            rule.ApiVersions.Should().Equal("v1");
            rule.Resources.Should().Equal("pods");
            webhook.FailurePolicy.Should().Be(expectedPolicy);
            webhook.SideEffects.Should().Be("None");
            webhook.AdmissionReviewVersions.Should().Equal("v1");
            webhook.TimeoutSeconds.Should().BeInRange(1, 30);
            webhook.NamespaceSelector.MatchExpressions.Should().ContainEquivalentOf(new V1LabelSelectorRequirement
            {
                Key = "kubernetes.io/metadata.name", OperatorProperty = "NotIn",
                Values = ["kube-system", "kube-public", "kube-node-lease"],
            });
        }
    }

    [Fact]
    public async Task The_default_revision_has_the_namespace_and_object_webhooks_of_both_kinds()
    {
        var configuration = (await ChartRenders.GetAsync(ValueSets.Defaults))
            .Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);
        var hooks = configuration.Webhooks.ToDictionary(w => w.Name);

        hooks.Keys.Should().BeEquivalentTo(NamespaceHook, RevisionNamespaceHook, ObjectHook, RevisionObjectHook);
        Expressions(hooks[NamespaceHook].NamespaceSelector).Should().BeEquivalentTo(
            "istio-injection In enabled", SystemNamespaces);
        Expressions(hooks[NamespaceHook].ObjectSelector).Should().BeEquivalentTo("sidecar.istio.io/inject NotIn false");
        Expressions(hooks[RevisionNamespaceHook].NamespaceSelector).Should().BeEquivalentTo(
            "istio.io/rev In default", "istio-injection DoesNotExist", SystemNamespaces);
        Expressions(hooks[RevisionNamespaceHook].ObjectSelector).Should().BeEquivalentTo("sidecar.istio.io/inject NotIn false");
        Expressions(hooks[ObjectHook].NamespaceSelector).Should().BeEquivalentTo(
            "istio-injection DoesNotExist", "istio.io/rev DoesNotExist", SystemNamespaces);
        Expressions(hooks[ObjectHook].ObjectSelector).Should().BeEquivalentTo(
            "sidecar.istio.io/inject In true", "istio.io/rev DoesNotExist");
        Expressions(hooks[RevisionObjectHook].NamespaceSelector).Should().BeEquivalentTo(
            "istio-injection DoesNotExist", "istio.io/rev DoesNotExist", SystemNamespaces);
        Expressions(hooks[RevisionObjectHook].ObjectSelector).Should().BeEquivalentTo(
            "sidecar.istio.io/inject NotIn false", "istio.io/rev In default");
    }

    [Fact]
    public async Task A_canary_revision_answers_only_to_its_revision_label()
    {
        var configuration = (await ChartRenders.GetAsync(ValueSets.Canary))
            .Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);
        var hooks = configuration.Webhooks.ToDictionary(w => w.Name);

        hooks.Keys.Should().BeEquivalentTo(RevisionNamespaceHook, RevisionObjectHook);
        Expressions(hooks[RevisionNamespaceHook].NamespaceSelector).Should().BeEquivalentTo(
            "istio.io/rev In canary", "istio-injection DoesNotExist", SystemNamespaces);
        Expressions(hooks[RevisionObjectHook].ObjectSelector).Should().BeEquivalentTo(
            "sidecar.istio.io/inject NotIn false", "istio.io/rev In canary");
    }

    public static TheoryData<string, string, string, string, string> Scenarios() => new()
    {
        // value set, namespace, namespace labels, pod labels, the one webhook expected ("" for none)
        { "defaults", "shop", "istio-injection=enabled", "", NamespaceHook },
        { "defaults", "shop", "istio-injection=enabled", "sidecar.istio.io/inject=false", "" },
        { "defaults", "shop", "istio-injection=enabled,istio.io/rev=default", "", NamespaceHook },
        { "defaults", "shop", "istio-injection=disabled", "sidecar.istio.io/inject=true", "" },
        { "defaults", "shop", "istio.io/rev=default", "app=web", RevisionNamespaceHook },
        { "defaults", "shop", "istio.io/rev=default", "sidecar.istio.io/inject=false", "" },
        { "defaults", "shop", "istio.io/rev=canary", "", "" },
        { "defaults", "shop", "", "sidecar.istio.io/inject=true", ObjectHook },
        { "defaults", "shop", "", "sidecar.istio.io/inject=true,istio.io/rev=canary", "" },
        { "defaults", "shop", "", "app=web", "" },
        { "defaults", "shop", "", "istio.io/rev=default", RevisionObjectHook },
        { "defaults", "shop", "", "istio.io/rev=default,sidecar.istio.io/inject=true", RevisionObjectHook },
        { "defaults", "shop", "", "istio.io/rev=default,sidecar.istio.io/inject=false", "" },
        { "defaults", "shop", "istio-injection=enabled", "istio.io/rev=canary", NamespaceHook },
        { "defaults", "shop", "istio.io/rev=canary", "istio.io/rev=default", "" },
        { "defaults", "kube-system", "istio-injection=enabled", "", "" },
        { "defaults", "kube-public", "", "sidecar.istio.io/inject=true", "" },
        { "canary", "shop", "istio.io/rev=canary", "", RevisionNamespaceHook },
        { "canary", "shop", "istio-injection=enabled", "", "" },
        { "canary", "shop", "istio.io/rev=default", "", "" },
        { "canary", "shop", "", "istio.io/rev=canary", RevisionObjectHook },
        { "canary", "shop", "", "istio.io/rev=canary,sidecar.istio.io/inject=false", "" },
        { "canary", "shop", "", "sidecar.istio.io/inject=true", "" },
        { "canary", "shop", "", "istio.io/rev=default", "" },
        { "canary", "shop", "istio.io/rev=default", "istio.io/rev=canary", "" },
        { "canary", "kube-node-lease", "istio.io/rev=canary", "", "" },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_pod_is_sent_to_at_most_the_expected_webhook(
        string valueSet, string @namespace, string namespaceLabels, string podLabels, string expected)
    {
        var configuration = (await ChartRenders.GetAsync(valueSet))
            .Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);

        var matching = WebhookMatcher.Matching(configuration, new InjectionScenario(@namespace, namespaceLabels, podLabels));

        matching.Should().Equal(expected == "" ? [] : [expected]);
    }

    [Fact]
    public async Task A_default_and_a_canary_release_never_both_inject_a_pod()
    {
        var configurations = new[]
        {
            (await ChartRenders.GetAsync(ValueSets.Defaults)).Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig),
            (await ChartRenders.GetAsync(ValueSets.Canary)).Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig),
        };
        string[] namespaceLabels = ["", "istio-injection=enabled", "istio-injection=disabled", "istio.io/rev=default",
            "istio.io/rev=canary", "istio-injection=enabled,istio.io/rev=canary"];
        string[] podLabels = ["", "sidecar.istio.io/inject=true", "sidecar.istio.io/inject=false", "istio.io/rev=canary",
            "istio.io/rev=default", "sidecar.istio.io/inject=true,istio.io/rev=canary"];

        foreach (var scenario in from ns in namespaceLabels from pod in podLabels select new InjectionScenario("shop", ns, pod))
        {
            configurations.SelectMany(c => WebhookMatcher.Matching(c, scenario)).Should()
                .HaveCountLessThanOrEqualTo(1, $"{scenario} should be injected by one revision at most");
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task The_control_plane_pods_are_never_injected(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);
        var configuration = chart.Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);

        foreach (var deployment in chart.OfKind<V1Deployment>())
        {
            var podLabels = string.Join(',', deployment.Spec.Template.Metadata.Labels.Select(l => $"{l.Key}={l.Value}"));
            foreach (var namespaceLabels in new[] { "istio-injection=enabled", "istio.io/rev=default", "istio.io/rev=canary", "" })
            {
                WebhookMatcher.Matching(configuration, new InjectionScenario(ChartNames.Namespace, namespaceLabels, podLabels))
                    .Should().BeEmpty($"{deployment.Metadata.Name} must start while no operator answers the webhook");
            }
        }
    }

    private const string SystemNamespaces = "kubernetes.io/metadata.name NotIn kube-system,kube-public,kube-node-lease";

    private static IEnumerable<string> Expressions(V1LabelSelector selector)
    {
        selector.MatchLabels.Should().BeNullOrEmpty("the webhooks select by expressions only");
        return selector.MatchExpressions.Select(e =>
            $"{e.Key} {e.OperatorProperty}{(e.Values is { Count: > 0 } ? " " + string.Join(',', e.Values) : "")}");
    }
}
