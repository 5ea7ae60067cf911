using ControlPlane.Chart.Tests.Infrastructure;
using ControlPlane.Operator.Injection;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

/// <summary>
/// The chart's webhooks decide which pods reach the operator; the operator's policy decides which it
/// injects. They must agree, or pods are sent and let through uninjected (or never sent).
/// </summary>
public sealed class WebhookPolicyAgreementTests
{
    private static readonly string[] NamespaceLabels =
    [
        "", "istio-injection=enabled", "istio-injection=disabled", "istio.io/rev=default", "istio.io/rev=canary",
        "istio-injection=enabled,istio.io/rev=canary", "istio-injection=disabled,istio.io/rev=default",
    ];

    private static readonly string[] PodLabels =
    [
        "", "app=web", "sidecar.istio.io/inject=true", "sidecar.istio.io/inject=false", "istio.io/rev=default",
        "istio.io/rev=canary", "sidecar.istio.io/inject=true,istio.io/rev=canary",
        "sidecar.istio.io/inject=false,istio.io/rev=canary", "sidecar.istio.io/inject=true,istio.io/rev=default",
    ];

    [Theory]
    [InlineData("defaults", "default")]
    [InlineData("canary", "canary")]
    public async Task The_operator_injects_exactly_the_pods_the_chart_sends_it(string valueSet, string revision)
    {
        var configuration = (await ChartRenders.GetAsync(valueSet)).Single<V1MutatingWebhookConfiguration>(ChartNames.WebhookConfig);
        var settings = InjectionSettings.Defaults("xds-server.istio-system.svc:15010") with { Revision = revision };

        foreach (var ns in new[] { "shop", "kube-system" })
        {
            foreach (var scenario in from nsLabels in NamespaceLabels from podLabels in PodLabels select new InjectionScenario(ns, nsLabels, podLabels))
            {
                var sent = WebhookMatcher.Matching(configuration, scenario).Count > 0;
                var pod = new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = "web", Labels = scenario.PodLabelSet.ToDictionary() },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
                };
                var decision = InjectionPolicy.Decide(pod, ns, new V1ObjectMeta { Name = ns, Labels = scenario.NamespaceLabelSet.ToDictionary() }, settings);

                decision.Inject.Should().Be(sent, $"a pod [{scenario.PodLabels}] in namespace {ns} [{scenario.NamespaceLabels}] is {(sent ? "" : "not ")}sent to revision {revision} by the chart (the operator says: {decision.Reason})");
            }
        }
    }
}
