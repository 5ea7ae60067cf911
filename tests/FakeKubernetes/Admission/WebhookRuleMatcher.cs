using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// A webhook's rules (admissionregistration.k8s.io/v1 RuleWithOperations) against one request,
/// following the real server's rules.Matcher: any rule that matches operation, group, version,
/// resource (with subresource) and scope selects the webhook. Exact matching only: the fake does
/// not translate between equivalent versions (matchPolicy Equivalent) since it serves one shape.
/// </summary>
public static class WebhookRuleMatcher
{
    public static bool Matches(JsonNode? rules, string operation, ResourceType type, string subresource = "")
    {
        if (rules is not JsonArray list)
        {
            // No rules select nothing, as on a real server.
            return false;
        }

        return list.OfType<JsonObject>().Any(rule =>
            Contains(rule["operations"], operation) &&
            Contains(rule["apiGroups"], type.Group) &&
            Contains(rule["apiVersions"], type.Version) &&
            MatchesResource(rule["resources"], type.Plural, subresource) &&
            MatchesScope(rule["scope"], type));
    }

    private static bool Contains(JsonNode? values, string wanted) =>
        Strings(values).Any(v => v == "*" || v == wanted);

    /// <summary>"pods" is the resource alone, "pods/status" a subresource, "*" every resource and "*/*" everything.</summary>
    private static bool MatchesResource(JsonNode? resources, string resource, string subresource) =>
        Strings(resources).Any(entry =>
        {
            var parts = entry.Split('/', 2);
            var sub = parts.Length > 1 ? parts[1] : "";
            return (parts[0] == "*" || parts[0] == resource) && (sub == "*" || sub == subresource);
        });

    private static bool MatchesScope(JsonNode? scope, ResourceType type)
    {
        // Namespaces are cluster-scoped objects, which the real matcher spells out the same way.
        var text = scope is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        return text switch
        {
            null or "*" => true,
            "Namespaced" => type.Namespaced,
            "Cluster" => !type.Namespaced,
            _ => false,
        };
    }

    /// <summary>The strings of a list; "" is a real entry (the core API group), so it is kept.</summary>
    private static IEnumerable<string> Strings(JsonNode? values) =>
        (values as JsonArray)?.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).OfType<string>() ?? [];
}
