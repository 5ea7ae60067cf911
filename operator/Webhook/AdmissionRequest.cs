using System.Text.Json.Nodes;

namespace ControlPlane.Operator.Webhook;

/// <summary>The parts of an admission.k8s.io/v1 AdmissionReview request the webhook uses.</summary>
public sealed record AdmissionRequest(string Uid, string Kind, string? Namespace, string Operation, JsonObject Object)
{
    public static AdmissionRequest Parse(JsonNode? body)
    {
        if (body is not JsonObject review)
        {
            throw new AdmissionReviewException("the body must be a JSON object (an admission.k8s.io/v1 AdmissionReview)");
        }

        var apiVersion = review["apiVersion"]?.GetValue<string>();
        var kind = review["kind"]?.GetValue<string>();
        if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
        {
            throw new AdmissionReviewException($"expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got '{apiVersion}' '{kind}'");
        }

        if (review["request"] is not JsonObject request)
        {
            throw new AdmissionReviewException("AdmissionReview has no request");
        }

        var uid = request["uid"]?.GetValue<string>();
        if (string.IsNullOrEmpty(uid))
        {
            throw new AdmissionReviewException("AdmissionReview request has no uid");
        }

        if (request["object"] is not JsonObject obj)
        {
            throw new AdmissionReviewException($"AdmissionReview request {uid} has no object");
        }

        return new AdmissionRequest(
            uid,
            request["kind"]?["kind"]?.GetValue<string>() ?? obj["kind"]?.GetValue<string>() ?? string.Empty,
            request["namespace"]?.GetValue<string>() ?? obj["metadata"]?["namespace"]?.GetValue<string>(),
            request["operation"]?.GetValue<string>() ?? "CREATE",
            obj);
    }
}
