using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>Whether a webhook is asked about a request: its rules, then its namespace and object selectors.</summary>
public sealed class WebhookSelector(FakeObjectStore store)
{
    private static readonly ResourceType Namespaces = ResourceType.Find("", "v1", "namespaces")!;

    /// <exception cref="ApiError">500 when a selector is malformed (a real server would have refused the configuration).</exception>
    public bool Selects(JsonObject webhook, string webhookName, string operation, ResourceType type, string? ns, JsonObject obj)
    {
        if (!WebhookRuleMatcher.Matches(webhook["rules"], operation, type))
        {
            return false;
        }

        try
        {
            return MatchesNamespace(webhook["namespaceSelector"], type, ns, obj) &&
                SelectorMatcher.Matches(webhook["objectSelector"], Labels(obj));
        }
        catch (FormatException e)
        {
            throw ApiError.InternalError($"webhook \"{webhookName}\" has an invalid selector: {e.Message}");
        }
    }

    private bool MatchesNamespace(JsonNode? selector, ResourceType type, string? ns, JsonObject obj)
    {
        if (type.Group == Namespaces.Group && type.Plural == Namespaces.Plural)
        {
            // A Namespace being created is judged by its own labels, as on a real server.
            return SelectorMatcher.Matches(selector, Labels(obj));
        }

        if (ns is null || selector is null or JsonObject { Count: 0 })
        {
            // Cluster-scoped objects other than namespaces are never exempted by a namespaceSelector.
            return true;
        }

        JsonObject? labels;
        try
        {
            labels = Labels(store.Get(Namespaces, null, ns));
        }
        catch (ApiError e) when (e.Code == 404)
        {
            // The fake lets objects live in namespaces never created; such a namespace has no labels.
            labels = null;
        }

        return SelectorMatcher.Matches(selector, labels);
    }

    private static JsonObject? Labels(JsonObject obj) => obj["metadata"]?["labels"] as JsonObject;
}
