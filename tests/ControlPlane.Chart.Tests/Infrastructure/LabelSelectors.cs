using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Evaluates a LabelSelector against a set of labels, the way the API server does for webhooks.</summary>
public static class LabelSelectors
{
    public static bool Matches(V1LabelSelector? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return true;
        }

        var labelsMatch = (selector.MatchLabels ?? new Dictionary<string, string>())
            .All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
        return labelsMatch && (selector.MatchExpressions ?? []).All(expression => Matches(expression, labels));
    }

    private static bool Matches(V1LabelSelectorRequirement requirement, IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(requirement.Key, out var value);
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => present && values.Contains(value),
            "NotIn" => !present || !values.Contains(value),
            "Exists" => present,
            "DoesNotExist" => !present,
            _ => throw new ArgumentException($"Unknown selector operator {requirement.OperatorProperty}."),
        };
    }
}
