using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// A meta/v1 LabelSelector (matchLabels and matchExpressions) as webhooks' namespaceSelector and
/// objectSelector carry it. Unlike <see cref="LabelSelector"/>, which parses the query-string form.
/// </summary>
public static class SelectorMatcher
{
    /// <summary>
    /// Whether <paramref name="labels"/> satisfy every term of <paramref name="selector"/>; a missing
    /// or empty selector matches everything, as the API server defaults webhook selectors to {}.
    /// </summary>
    /// <exception cref="FormatException">The selector is malformed (the real server refuses such a configuration).</exception>
    public static bool Matches(JsonNode? selector, JsonObject? labels)
    {
        if (selector is null)
        {
            return true;
        }

        if (selector is not JsonObject terms)
        {
            throw new FormatException("a label selector is an object");
        }

        if (terms["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (Label(labels, key) != Text(value, $"matchLabels[{key}]"))
                {
                    return false;
                }
            }
        }

        if (terms["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions)
            {
                if (!MatchesExpression(expression as JsonObject ?? throw new FormatException("a matchExpressions entry is an object"), labels))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool MatchesExpression(JsonObject expression, JsonObject? labels)
    {
        var key = Text(expression["key"], "matchExpressions key");
        var op = Text(expression["operator"], $"matchExpressions operator for {key}");
        var values = (expression["values"] as JsonArray)?.Select(v => Text(v, $"matchExpressions values for {key}")).ToList() ?? [];
        var actual = Label(labels, key);
        switch (op)
        {
            case "In" or "NotIn" when values.Count == 0:
                throw new FormatException($"matchExpressions {op} for {key} needs values");
            case "Exists" or "DoesNotExist" when values.Count > 0:
                throw new FormatException($"matchExpressions {op} for {key} takes no values");
            case "In":
                return actual is not null && values.Contains(actual);
            case "NotIn":
                // A missing label is "not in" any set, as in Kubernetes' labels.Selector.
                return actual is null || !values.Contains(actual);
            case "Exists":
                return actual is not null;
            case "DoesNotExist":
                return actual is null;
            default:
                throw new FormatException($"matchExpressions operator '{op}' for {key} is not In, NotIn, Exists or DoesNotExist");
        }
    }

    private static string? Label(JsonObject? labels, string key) =>
        labels?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Text(JsonNode? node, string what) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new FormatException($"{what} must be a string");
}
