using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>The "response" part of AdmissionReviews a test webhook answers with (the server adds the uid).</summary>
public static class AdmissionResponses
{
    public static JsonObject Allow() => new() { ["allowed"] = true };

    public static JsonObject Patch(params JsonObject[] operations) => new()
    {
        ["allowed"] = true,
        ["patchType"] = "JSONPatch",
        ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonArray(operations).ToJsonString())),
    };

    public static JsonObject Deny(string message, int? code = null)
    {
        var status = new JsonObject { ["message"] = message };
        if (code is not null)
        {
            status["code"] = code.Value;
        }

        return new JsonObject { ["allowed"] = false, ["status"] = status };
    }

    public static JsonObject Add(string path, JsonNode? value) => new() { ["op"] = "add", ["path"] = path, ["value"] = value };
}
