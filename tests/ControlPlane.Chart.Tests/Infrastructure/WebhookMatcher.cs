using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Which webhooks of a configuration the API server would call for a pod CREATE in a scenario.</summary>
public static class WebhookMatcher
{
    public static IReadOnlyList<string> Matching(V1MutatingWebhookConfiguration configuration, InjectionScenario scenario) =>
        configuration.Webhooks
            .Where(webhook => LabelSelectors.Matches(webhook.NamespaceSelector, scenario.NamespaceLabelSet)
                && LabelSelectors.Matches(webhook.ObjectSelector, scenario.PodLabelSet))
            .Select(webhook => webhook.Name)
            .ToList();
}
