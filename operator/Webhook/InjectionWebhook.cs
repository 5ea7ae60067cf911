using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Operator.Injection;
using ControlPlane.Operator.Settings;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace ControlPlane.Operator.Webhook;

/// <summary>
/// POST /inject: the mutating admission webhook that adds sidecars to new pods. Whatever arrives gets
/// an answer with a reason, never an empty 500 or a dropped connection: a body over the size limit
/// 413, a body that is not an AdmissionReview 400, a review whose object is not a valid Pod
/// <c>allowed: false</c> with the reason, and a failure of our own <c>allowed: false</c> (code 500) saying so.
/// </summary>
public sealed class InjectionWebhook
{
    private static readonly Counter Admissions = Metrics.CreateCounter(
        "controlplane_injection_admissions_total", "Pods seen by the injection webhook, by result.", "result");

    private readonly InjectionSettingsStore _settings;
    private readonly NamespaceLookup _namespaces;
    private readonly ILogger<InjectionWebhook> _logger;
    private readonly long _maxRequestBytes;

    public InjectionWebhook(InjectionSettingsStore settings, NamespaceLookup namespaces, IOptions<OperatorOptions> options, ILogger<InjectionWebhook> logger)
    {
        _settings = settings;
        _namespaces = namespaces;
        _logger = logger;
        _maxRequestBytes = options.Value.MaxAdmissionReviewBytes;
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        AdmissionRequest request;
        try
        {
            using var body = await AdmissionBody.ReadAsync(context, _maxRequestBytes, context.RequestAborted);
            if (body is null)
            {
                return TooLarge(context);
            }

            request = AdmissionRequest.Parse(await JsonNode.ParseAsync(body, cancellationToken: context.RequestAborted));
        }
        catch (Exception e) when (e is AdmissionReviewException or JsonException)
        {
            Admissions.WithLabels("bad_request").Inc();
            _logger.LogWarning("Rejected a bad AdmissionReview from {Peer}: {Reason}", context.Connection.RemoteIpAddress, Bounded(e.Message));
            return Results.BadRequest(new { error = $"invalid AdmissionReview: {Bounded(e.Message)}" });
        }

        try
        {
            return Results.Json(await AdmitAsync(request, context.RequestAborted));
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A bug of ours must cost this pod an answer with a reason, not the API server a bare 500.
            Admissions.WithLabels("error").Inc();
            _logger.LogError(e, "Injecting pod in {Namespace} (AdmissionReview {Uid}) failed", request.Namespace, request.Uid);
            return Results.Json(AdmissionResponses.Fail(request.Uid, $"the sidecar injector failed on this pod: {e.GetType().Name}: {Bounded(e.Message)}"));
        }
    }

    private IResult TooLarge(HttpContext context)
    {
        Admissions.WithLabels("too_large").Inc();
        _logger.LogWarning("Rejected an AdmissionReview from {Peer}: the body is larger than {MaxBytes} bytes", context.Connection.RemoteIpAddress, _maxRequestBytes);
        return Results.Json(new { error = $"AdmissionReview too large: at most {_maxRequestBytes} bytes are accepted" }, statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>The path of the first null value among the pod's metadata.<paramref name="map"/> (labels or annotations), or null.</summary>
    private static string? NullInMap(JsonObject pod, string map) =>
        pod["metadata"] is JsonObject metadata && metadata[map] is JsonObject values
            ? values.Where(pair => pair.Value is null).Select(pair => $"object.metadata.{map}[{pair.Key}]").FirstOrDefault()
            : null;

    /// <summary>The path of the first null element of a list under <paramref name="node"/>, or null when there is none.</summary>
    private static string? NullInList(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (NullInList(child, $"{path}.{key}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is null)
                    {
                        return $"{path}[{i}]";
                    }

                    if (NullInList(array[i], $"{path}[{i}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Request-derived text as a log or answer may quote it: at most 300 characters.</summary>
    private static string Bounded(string text) => text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");

    public async Task<JsonObject> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind != "Pod" || request.Operation != "CREATE")
        {
            Admissions.WithLabels("ignored").Inc();
            return AdmissionResponses.Allow(request.Uid);
        }

        if ((NullInList(request.Object, "object") ?? NullInMap(request.Object, "labels") ?? NullInMap(request.Object, "annotations")) is { } nullAt)
        {
            // The API server decodes a pod before it calls webhooks, so it never sends these: no list of a Pod holds null, no label or annotation is null.
            Admissions.WithLabels("refused").Inc();
            _logger.LogWarning("Refusing pod in {Namespace}: its object is not a valid Pod: {Path} is null", request.Namespace, Bounded(nullAt));
            return AdmissionResponses.Refuse(request.Uid, $"the pod cannot be injected: it is not a valid Pod ({Bounded(nullAt)} is null)");
        }

        V1Pod pod;
        try
        {
            pod = KubernetesJson.Deserialize<V1Pod>(request.Object.ToJsonString());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // JsonException for wrong JSON types; quantities, dates and the like fail with their own exceptions.
            Admissions.WithLabels("refused").Inc();
            var reason = Bounded(e is JsonException ? e.Message : $"{e.Message} ({e.GetType().Name})");
            _logger.LogWarning("Refusing pod in {Namespace}: its object is not a valid Pod: {Reason}", request.Namespace, reason);
            return AdmissionResponses.Refuse(request.Uid, $"the pod cannot be injected: it is not a valid Pod ({reason})");
        }

        var ns = request.Namespace ?? pod.Metadata?.NamespaceProperty ?? "default";
        var name = pod.Metadata?.Name ?? pod.Metadata?.GenerateName + "*";
        var outcome = PodInjector.Inject(pod, ns, await _namespaces.GetAsync(ns, cancellationToken), _settings.Current);
        foreach (var warning in outcome.Warnings)
        {
            _logger.LogWarning("Pod {Namespace}/{Pod}: {Warning}", ns, name, warning);
        }

        var decision = outcome.Decision;
        if (!decision.Allowed)
        {
            Admissions.WithLabels("refused").Inc();
            _logger.LogWarning("Refusing pod {Namespace}/{Pod}: {Reason}", ns, name, decision.Reason);
            return AdmissionResponses.Refuse(request.Uid, $"the pod cannot be injected: {decision.Reason}");
        }

        if (outcome.Patch is null)
        {
            Admissions.WithLabels("skipped").Inc();
            _logger.LogDebug("Not injecting pod {Namespace}/{Pod}: {Reason}", ns, name, decision.Reason);
            return AdmissionResponses.Allow(request.Uid);
        }

        Admissions.WithLabels("injected").Inc();
        _logger.LogInformation("Injecting {Flavor} sidecar ({Image}) into pod {Namespace}/{Pod}", decision.Flavor, outcome.Image, ns, name);
        return AdmissionResponses.Patch(request.Uid, outcome.Patch, outcome.Warnings);
    }
}
