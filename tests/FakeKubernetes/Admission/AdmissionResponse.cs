using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>A webhook's verdict: allowed or not, the Status it gave, and the JSON patch bytes if it sent one.</summary>
public sealed record AdmissionResponse(bool Allowed, JsonObject? Status, byte[]? Patch)
{
    /// <summary>
    /// Reads and checks a webhook's answer as the real server's VerifyAdmissionResponse does; whatever
    /// fails here counts as a failed call, so failurePolicy decides, just as on a real server.
    /// </summary>
    /// <exception cref="WebhookCallException">The answer is not a usable v1 AdmissionReview for this request.</exception>
    public static AdmissionResponse Read(string body, string uid)
    {
        JsonObject review;
        try
        {
            review = JsonNode.Parse(body) as JsonObject ?? throw Invalid("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new WebhookCallException($"failed to call webhook: the response is not JSON: {e.Message}", e);
        }

        if (review["response"] is not JsonObject response)
        {
            throw Invalid("webhook response was absent");
        }

        var apiVersion = Text(review["apiVersion"]);
        var kind = Text(review["kind"]);
        if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
        {
            throw Invalid($"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {apiVersion}, Kind={kind}");
        }

        var answeredUid = Text(response["uid"]);
        if (answeredUid != uid)
        {
            throw Invalid($"expected response.uid=\"{uid}\", got \"{answeredUid}\"");
        }

        // Go decodes a missing "allowed" as false, so a webhook that forgets it denies.
        var allowed = response["allowed"] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
        return new AdmissionResponse(allowed, response["status"] as JsonObject, ReadPatch(response));
    }

    private static byte[]? ReadPatch(JsonObject response)
    {
        var encoded = Text(response["patch"]);
        if (string.IsNullOrEmpty(encoded))
        {
            return null;
        }

        byte[] patch;
        try
        {
            patch = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new WebhookCallException($"failed to call webhook: response.patch is not base64: {e.Message}", e);
        }

        var patchType = Text(response["patchType"]);
        return patchType switch
        {
            null => throw Invalid("webhook returned response.patch but not response.patchType"),
            "JSONPatch" => patch,
            _ => throw Invalid($"webhook returned invalid response.patchType of \"{patchType}\""),
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static WebhookCallException Invalid(string reason) => new($"received invalid webhook response: {reason}");
}
