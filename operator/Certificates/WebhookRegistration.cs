using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ControlPlane.Mesh.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Certificates;

/// <summary>
/// The MutatingWebhookConfiguration's side of TLS: its caBundle must be the CA of the serving
/// certificate. With --webhook-url the operator also registers the webhook (for runs outside a cluster).
/// </summary>
public sealed class WebhookRegistration
{
    public const string WebhookName = "sidecar-injector.mesh.controlplane.io";
    private readonly IKubernetes _client;
    private readonly OperatorOptions _options;
    private readonly BoundPorts _ports;
    private readonly ILogger<WebhookRegistration> _logger;

    public WebhookRegistration(IKubernetes client, IOptions<OperatorOptions> options, BoundPorts ports, ILogger<WebhookRegistration> logger)
    {
        _client = client;
        _options = options.Value;
        _ports = ports;
        _logger = logger;
    }

    public async Task EnsureAsync(byte[] caBundle, CancellationToken cancellationToken)
    {
        var url = await ResolveUrlAsync(cancellationToken);
        V1MutatingWebhookConfiguration? config;
        try
        {
            config = await _client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_options.WebhookConfig, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            config = null;
        }

        if (config is null)
        {
            if (url is null)
            {
                _logger.LogWarning("MutatingWebhookConfiguration {Name} does not exist (the chart creates it); no caBundle to patch", _options.WebhookConfig);
                return;
            }

            await _client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(UrlRegistration(url, caBundle), cancellationToken: cancellationToken);
            _logger.LogInformation("Registered webhook {Name} at {Url}", _options.WebhookConfig, url);
            return;
        }

        var changed = false;
        foreach (var webhook in config.Webhooks ?? [])
        {
            webhook.ClientConfig ??= new Admissionregistrationv1WebhookClientConfig();
            if (url is not null && webhook.ClientConfig.Url != url)
            {
                webhook.ClientConfig.Url = url;
                changed = true;
            }

            if (webhook.ClientConfig.CaBundle is null || !webhook.ClientConfig.CaBundle.AsSpan().SequenceEqual(caBundle))
            {
                webhook.ClientConfig.CaBundle = caBundle;
                changed = true;
            }
        }

        if (changed)
        {
            await _client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(config, _options.WebhookConfig, cancellationToken: cancellationToken);
            _logger.LogInformation("Set the caBundle of MutatingWebhookConfiguration {Name} ({Count} webhooks)", _options.WebhookConfig, config.Webhooks?.Count ?? 0);
        }
    }

    /// <summary>
    /// The --webhook-url to register; port 0 in it stands for the port the webhook was bound to, so a
    /// local run with --webhook-port 0 registers the port the OS chose.
    /// </summary>
    private async Task<string?> ResolveUrlAsync(CancellationToken cancellationToken)
    {
        if (_options.WebhookUrl is null || !Uri.TryCreate(_options.WebhookUrl, UriKind.Absolute, out var uri) || uri.Port != 0)
        {
            return _options.WebhookUrl;
        }

        await _ports.WhenBoundAsync(cancellationToken);
        return new UriBuilder(uri) { Port = _ports.PortOf("webhook") }.Uri.ToString();
    }

    /// <summary>
    /// Istio 1.10's webhooks for the operator's revision, as the chart registers them: namespaces
    /// labelled istio.io/rev=REVISION, pods labelled istio.io/rev=REVISION in unlabelled namespaces and,
    /// for the default revision, istio-injection=enabled namespaces and sidecar.istio.io/inject=true pods.
    /// </summary>
    private V1MutatingWebhookConfiguration UrlRegistration(string url, byte[] caBundle)
    {
        var revision = _options.Revision;
        V1MutatingWebhook Webhook(string prefix, V1LabelSelectorRequirement[] namespaceSelector, V1LabelSelectorRequirement[] objectSelector) => new()
        {
            Name = $"{prefix}.{WebhookName}",
            ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = url, CaBundle = caBundle },
            Rules = [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Operations = ["CREATE"] }],
            NamespaceSelector = new V1LabelSelector { MatchExpressions = [.. namespaceSelector, Requirement("kubernetes.io/metadata.name", "NotIn", "kube-system", "kube-public", "kube-node-lease")] },
            ObjectSelector = new V1LabelSelector { MatchExpressions = objectSelector },
            FailurePolicy = _options.FailurePolicy,
            SideEffects = "None",
            AdmissionReviewVersions = ["v1"],
            TimeoutSeconds = 10,
        };

        var notDisabled = Requirement("sidecar.istio.io/inject", "NotIn", "false");
        var unlabelledNamespace = new[] { Requirement("istio-injection", "DoesNotExist"), Requirement("istio.io/rev", "DoesNotExist") };
        var webhooks = new List<V1MutatingWebhook>
        {
            Webhook("rev.namespace", [Requirement("istio.io/rev", "In", revision), Requirement("istio-injection", "DoesNotExist")], [notDisabled]),
            Webhook("rev.object", unlabelledNamespace, [notDisabled, Requirement("istio.io/rev", "In", revision)]),
        };
        if (revision == "default")
        {
            webhooks.Add(Webhook("namespace", [Requirement("istio-injection", "In", "enabled")], [notDisabled]));
            webhooks.Add(Webhook("object", unlabelledNamespace, [Requirement("sidecar.istio.io/inject", "In", "true"), Requirement("istio.io/rev", "DoesNotExist")]));
        }

        return new V1MutatingWebhookConfiguration { Metadata = new V1ObjectMeta { Name = _options.WebhookConfig }, Webhooks = webhooks };
    }

    private static V1LabelSelectorRequirement Requirement(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length > 0 ? values : null };
}
