using System.Text.Json.Nodes;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Operator.Api;
using ControlPlane.Operator.Injection;
using ControlPlane.Operator.Leadership;
using ControlPlane.Operator.Settings;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Status;

/// <summary>
/// Leader only: writes the status of the SidecarInjector this operator uses — observedGeneration and a
/// Ready condition saying whether its spec is valid and in use — through a rate-limited queue. Other
/// SidecarInjectors are left to whichever operator uses them, so two operators never fight over one.
/// </summary>
public sealed class SidecarInjectorStatusReconciler : BackgroundService
{
    public const string ReadyCondition = "Ready";
    private readonly IKubernetes _client;
    private readonly LeaderElectionService _leadership;
    private readonly OperatorOptions _options;
    private readonly ILogger<SidecarInjectorStatusReconciler> _logger;
    private readonly RateLimitedQueue<string> _queue = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public SidecarInjectorStatusReconciler(IKubernetes client, InjectionSettingsStore settings, LeaderElectionService leadership, IOptions<OperatorOptions> options, ILogger<SidecarInjectorStatusReconciler> logger)
    {
        _client = client;
        _leadership = leadership;
        _options = options.Value;
        _logger = logger;
        settings.Changed += name =>
        {
            lock (_known)
            {
                _known.Add(name);
            }

            _queue.Add(name);
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken term;
            try
            {
                term = await _leadership.WaitForLeadershipAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // A new leader re-checks everything: the previous one may have died mid-way.
            lock (_known)
            {
                foreach (var name in _known)
                {
                    _queue.Add(name);
                }
            }

            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            try
            {
                while (true)
                {
                    var name = await _queue.TakeAsync(leading.Token);
                    try
                    {
                        await ReconcileAsync(name, leading.Token);
                        _queue.Succeeded(name);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _logger.LogWarning("Updating the status of SidecarInjector {Name} failed: {Error}; retrying", name, e.Message);
                        _queue.Failed(name, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Lost leadership or stopping.
            }
        }
    }

    private async Task ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        SidecarInjector injector;
        try
        {
            injector = await _client.CustomObjects.GetClusterCustomObjectAsync<SidecarInjector>(SidecarInjector.Group, SidecarInjector.Version, SidecarInjector.Plural, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return;
        }

        var generation = injector.Metadata.Generation ?? 0;
        var (status, reason, message) = Evaluate(injector);
        var existing = injector.Status?.Conditions?.FirstOrDefault(c => c.Type == ReadyCondition);
        if (injector.Status?.ObservedGeneration == generation && existing is not null &&
            existing.Status == status && existing.Reason == reason && existing.Message == message && existing.ObservedGeneration == generation)
        {
            return;
        }

        var transition = existing is not null && existing.Status == status ? existing.LastTransitionTime : DateTime.UtcNow;
        var transitionText = transition.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = ReadyCondition,
                    ["status"] = status,
                    ["observedGeneration"] = generation,
                    ["lastTransitionTime"] = transitionText,
                    ["reason"] = reason,
                    ["message"] = message,
                }),
            },
        };
        await _client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            SidecarInjector.Group, SidecarInjector.Version, SidecarInjector.Plural, name, cancellationToken: cancellationToken);
        _logger.LogInformation("SidecarInjector {Name} generation {Generation}: Ready={Status} ({Reason}) {Message}", name, generation, status, reason, message);
    }

    private (string Status, string Reason, string Message) Evaluate(SidecarInjector injector)
    {
        var (settings, errors) = InjectionSettings.FromSpec(injector.Spec, _options.DiscoveryAddress, _options.Revision);
        return settings is null
            ? ("False", "InvalidSpec", "the previous valid settings stay in use: " + string.Join("; ", errors))
            : ("True", "Accepted", $"used for new pods: flavor {settings.Flavor}, image {settings.ImageFor(settings.Flavor)}, discovery {settings.DiscoveryAddress}");
    }
}
