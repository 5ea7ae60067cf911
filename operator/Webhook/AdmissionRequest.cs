using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.Operator.Webhook;

/// <summary>The parts of an admission.k8s.io/v1 AdmissionReview request the webhook uses.</summary>
public sealed record AdmissionRequest(string Uid, string Kind, string? Namespace, string Operation, JsonObject Object)
{
    /// <exception cref="AdmissionReviewException">The body is not an AdmissionReview the webhook can answer: a field is missing or of the wrong JSON type; the message names it.</exception>
    public static AdmissionRequest Parse(JsonNode? body)
    {
        if (body is not JsonObject review)
        {
            throw new AdmissionReviewException("the body must be a JSON object (an admission.k8s.io/v1 AdmissionReview)");
        }

        var apiVersion = OptionalString(review, "apiVersion", "apiVersion");
        var kind = OptionalString(review, "kind", "kind");
        if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
        {
            throw new AdmissionReviewException($"expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got '{Bounded(apiVersion)}' '{Bounded(kind)}'");
        }

        if (review["request"] is not JsonObject request)
        {
            throw new AdmissionReviewException("AdmissionReview has no request");
        }

        var uid = OptionalString(request, "uid", "request.uid");
        if (string.IsNullOrEmpty(uid))
        {
            throw new AdmissionReviewException("AdmissionReview request has no uid");
        }

        if (request["object"] is not JsonObject obj)
        {
            throw new AdmissionReviewException($"AdmissionReview request {Bounded(uid)} has no object");
        }

        var requestKind = request["kind"] switch
        {
            null => null,
            JsonObject groupVersionKind => OptionalString(groupVersionKind, "kind", "request.kind.kind"),
            var other => throw WrongType("request.kind", "an object (group, version, kind)", other),
        };
        var metadata = obj["metadata"] as JsonObject;
        return new AdmissionRequest(
            uid,
            requestKind ?? OptionalString(obj, "kind", "request.object.kind") ?? string.Empty,
            OptionalString(request, "namespace", "request.namespace") ?? (metadata is null ? null : OptionalString(metadata, "namespace", "request.object.metadata.namespace")),
            OptionalString(request, "operation", "request.operation") ?? "CREATE",
            obj);
    }

    /// <summary>A string field, or null when absent or JSON null; any other JSON type is refused with the field's path.</summary>
    private static string? OptionalString(JsonObject parent, string name, string path) => parent[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        var other => throw WrongType(path, "a string", other),
    };

    private static AdmissionReviewException WrongType(string path, string expected, JsonNode node) =>
        new($"{path} must be {expected}, not {node.GetValueKind().ToString().ToLowerInvariant()}");

    /// <summary>Request text as a message may quote it: at most 64 characters.</summary>
    private static string? Bounded(string? value) => value is null || value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
