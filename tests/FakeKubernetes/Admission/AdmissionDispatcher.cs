using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// Runs the stored MutatingWebhookConfigurations over an object being created, before it is stored,
/// as the real API server's mutating admission does: configurations in name order, their webhooks
/// in the order listed, each seeing the object as the webhooks before it left it.
/// </summary>
public sealed class AdmissionDispatcher(FakeObjectStore store)
{
    private static readonly ResourceType Configurations = ResourceType.Find("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations")!;
    private readonly WebhookSelector _selector = new(store);

    /// <summary>The object to store: <paramref name="obj"/> as the webhooks patched it.</summary>
    /// <exception cref="ApiError">A webhook denied the object, failed under failurePolicy Fail, or sent a patch that does not apply.</exception>
    /// <param name="dryRun">?dryRun=All: only webhooks declaring sideEffects None or NoneOnDryRun may be called.</param>
    public async Task<JsonObject> AdmitCreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken, bool dryRun = false)
    {
        // Webhook configurations themselves are exempt, so a broken webhook can always be removed.
        if (type.Group == Configurations.Group)
        {
            return obj;
        }

        var webhooks = MutatingWebhooks();
        if (webhooks.Count == 0)
        {
            return obj;
        }

        // Webhooks see what the real server would send: kind and namespace already filled in.
        var current = (JsonObject)obj.DeepClone();
        current["apiVersion"] = type.ApiVersion;
        current["kind"] = type.Kind;
        if (ns is not null)
        {
            if (current["metadata"] is not JsonObject metadata)
            {
                current["metadata"] = metadata = new JsonObject();
            }

            metadata["namespace"] = ns;
        }

        foreach (var (name, webhook) in webhooks)
        {
            if (_selector.Selects(webhook, name, "CREATE", type, ns, current))
            {
                current = await CallAsync(name, webhook, type, ns, current, dryRun, cancellationToken);
            }
        }

        return current;
    }

    private async Task<JsonObject> CallAsync(string name, JsonObject webhook, ResourceType type, string? ns, JsonObject current, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun && Text(webhook["sideEffects"]) is not ("None" or "NoneOnDryRun"))
        {
            // The real server never calls such a webhook for a dry run, and fails the request instead.
            throw ApiError.BadRequest($"admission webhook \"{name}\" does not support dry run");
        }

        if (webhook["matchConditions"] is JsonArray { Count: > 0 })
        {
            // CEL is out of reach here; silently calling the webhook anyway would hide a difference.
            throw ApiError.InternalError($"webhook \"{name}\" has matchConditions, which the fake API server cannot evaluate");
        }

        var uid = Guid.NewGuid().ToString();
        AdmissionResponse response;
        try
        {
            response = await WebhookCaller.CallAsync(webhook, AdmissionReviewFactory.ForCreate(uid, type, ns, current, dryRun), uid, cancellationToken);
        }
        catch (WebhookCallException e)
        {
            if (Text(webhook["failurePolicy"]) == "Ignore")
            {
                return current;
            }

            throw ApiError.InternalError($"failed calling webhook \"{name}\": {e.Message}");
        }

        if (!response.Allowed)
        {
            throw Denied(name, response.Status);
        }

        return response.Patch is null ? current : ApplyPatch(name, current, response.Patch);
    }

    /// <summary>A patch that does not apply fails the request whatever failurePolicy says, as on a real server.</summary>
    private static JsonObject ApplyPatch(string name, JsonObject current, byte[] patch)
    {
        try
        {
            var operations = JsonNode.Parse(Encoding.UTF8.GetString(patch)) as JsonArray ?? throw ApiError.BadRequest("a JSON patch is an array");
            return Patches.Apply(current.DeepClone(), operations) as JsonObject ?? throw ApiError.BadRequest("the patched object is not a JSON object");
        }
        catch (Exception e) when (e is ApiError or JsonException)
        {
            throw ApiError.InternalError($"the JSON patch from webhook \"{name}\" does not apply: {e.Message}");
        }
    }

    /// <summary>The real server's ToStatusErr: the webhook's own Status, at least 400, with the webhook named.</summary>
    private static ApiError Denied(string name, JsonObject? status)
    {
        var code = status?["code"] is JsonValue value && value.TryGetValue<int>(out var c) && c >= 400 ? c : 400;
        var message = Text(status?["message"]);
        var reason = Text(status?["reason"]) ?? "";
        var deniedBy = $"admission webhook \"{name}\" denied the request";
        var text = !string.IsNullOrEmpty(message) ? $"{deniedBy}: {message}"
            : reason.Length > 0 ? $"{deniedBy}: {reason}"
            : $"{deniedBy} without explanation";
        return new ApiError(code, reason, text);
    }

    private List<(string Name, JsonObject Webhook)> MutatingWebhooks()
    {
        var (configurations, _) = store.List(Configurations, null, _ => true);
        return configurations
            .OrderBy(c => Text(c["metadata"]?["name"]), StringComparer.Ordinal)
            .SelectMany(c => (c["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(w => (Text(w["name"]) ?? "", w))
            .ToList();
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
