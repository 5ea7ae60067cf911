using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlane.Operator.Webhook;

/// <summary>AdmissionReview responses: allow as is, allow with a JSON patch, or refuse with a reason.</summary>
public static class AdmissionResponses
{
    public static JsonObject Allow(string uid) => Review(new JsonObject { ["uid"] = uid, ["allowed"] = true });

    /// <param name="warnings">admission.k8s.io/v1 warnings, which the API server returns to the client (kubectl prints them).</param>
    public static JsonObject Patch(string uid, JsonArray patch, IReadOnlyList<string>? warnings = null)
    {
        var response = new JsonObject
        {
            ["uid"] = uid,
            ["allowed"] = true,
            ["patchType"] = "JSONPatch",
            ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString())),
        };
        if (warnings is { Count: > 0 })
        {
            response["warnings"] = new JsonArray(warnings.Select(w => (JsonNode?)w).ToArray());
        }

        return Review(response);
    }

    public static JsonObject Refuse(string uid, string message) => Review(new JsonObject
    {
        ["uid"] = uid,
        ["allowed"] = false,
        ["status"] = new JsonObject { ["code"] = 400, ["reason"] = "BadRequest", ["message"] = message },
    });

    /// <summary>Refuses because the webhook itself failed (code 500), so the reason reaches the client rather than a bare HTTP error.</summary>
    public static JsonObject Fail(string uid, string message) => Review(new JsonObject
    {
        ["uid"] = uid,
        ["allowed"] = false,
        ["status"] = new JsonObject { ["code"] = 500, ["reason"] = "InternalError", ["message"] = message },
    });

    private static JsonObject Review(JsonObject response) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["response"] = response,
    };
}
