using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>The admission.k8s.io/v1 AdmissionReview a real API server posts to a webhook.</summary>
public static class AdmissionReviewFactory
{
    /// <summary>The identity every request to the fake runs as: it checks no credentials.</summary>
    public const string UserName = "fake-admin";

    /// <param name="obj">The object as it stands after earlier webhooks, not yet stored (no uid, maybe no name).</param>
    /// <param name="dryRun">The request came with ?dryRun=All: nothing will be stored.</param>
    public static JsonObject ForCreate(string uid, ResourceType type, string? ns, JsonObject obj, bool dryRun = false)
    {
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = Kind(type),
            ["resource"] = Resource(type),
            // The fake serves each resource in one shape only, so nothing is ever converted.
            ["requestKind"] = Kind(type),
            ["requestResource"] = Resource(type),
        };

        // Absent rather than empty, as Go's omitempty leaves them: generateName has no name yet.
        if (obj["metadata"]?["name"] is JsonValue name && name.TryGetValue<string>(out var text) && text.Length > 0)
        {
            request["name"] = text;
        }

        if (ns is not null)
        {
            request["namespace"] = ns;
        }

        request["operation"] = "CREATE";
        request["userInfo"] = new JsonObject { ["username"] = UserName };
        request["object"] = obj.DeepClone();
        request["oldObject"] = null;
        request["dryRun"] = dryRun;
        request["options"] = new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" };
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = request,
        };
    }

    private static JsonObject Kind(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };

    private static JsonObject Resource(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural };
}
