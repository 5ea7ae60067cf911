using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Operator.Injection;
using ControlPlane.Operator.Settings;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace ControlPlane.Operator.Webhook;

/// <summary>POST /inject: the mutating admission webhook that adds sidecars to new pods.</summary>
public sealed class InjectionWebhook
{
    private static readonly Counter Admissions = Metrics.CreateCounter(
        "controlplane_injection_admissions_total", "Pods seen by the injection webhook, by result.", "result");

    private readonly InjectionSettingsStore _settings;
    private readonly NamespaceLookup _namespaces;
    private readonly ILogger<InjectionWebhook> _logger;

    public InjectionWebhook(InjectionSettingsStore settings, NamespaceLookup namespaces, ILogger<InjectionWebhook> logger)
    {
        _settings = settings;
        _namespaces = namespaces;
        _logger = logger;
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        AdmissionRequest request;
        try
        {
            request = AdmissionRequest.Parse(await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted));
        }
        catch (Exception e) when (e is AdmissionReviewException or JsonException)
        {
            Admissions.WithLabels("bad_request").Inc();
            _logger.LogWarning("Rejected a bad AdmissionReview from {Peer}: {Reason}", context.Connection.RemoteIpAddress, e.Message);
            return Results.BadRequest(new { error = $"invalid AdmissionReview: {e.Message}" });
        }

        return Results.Json(await AdmitAsync(request, context.RequestAborted));
    }

    public async Task<JsonObject> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind != "Pod" || request.Operation != "CREATE")
        {
            Admissions.WithLabels("ignored").Inc();
            return AdmissionResponses.Allow(request.Uid);
        }

        V1Pod pod;
        try
        {
            pod = KubernetesJson.Deserialize<V1Pod>(request.Object.ToJsonString());
        }
        catch (JsonException e)
        {
            Admissions.WithLabels("refused").Inc();
            _logger.LogWarning("Refusing pod in {Namespace}: its object is not a valid Pod: {Reason}", request.Namespace, e.Message);
            return AdmissionResponses.Refuse(request.Uid, $"the pod cannot be injected: it is not a valid Pod ({e.Message})");
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
