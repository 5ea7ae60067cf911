using System.Net;
using System.Text;
using ControlPlane.Operator.Leadership;
using ControlPlane.Operator.Ownership;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Certificates;

/// <summary>
/// Keeps the webhook's TLS working. Every replica loads the serving certificate from the Secret. The
/// leader creates it (unless it is provided), replaces it before it expires, and keeps the
/// MutatingWebhookConfiguration's caBundle equal to the Secret's CA (registering the webhook itself
/// when it runs outside the cluster with --webhook-url). A generated Secret is owned by the operator's
/// Deployment (<see cref="DeploymentOwner"/>), so it goes with an uninstall; a provided one is never touched.
/// </summary>
public sealed class WebhookCertificateManager : BackgroundService
{
    private readonly IKubernetes _client;
    private readonly WebhookCertificateStore _store;
    private readonly LeaderElectionService _leadership;
    private readonly WebhookRegistration _registration;
    private readonly DeploymentOwner _owner;
    private readonly OperatorOptions _options;
    private readonly ILogger<WebhookCertificateManager> _logger;
    private readonly TimeProvider _time;

    public WebhookCertificateManager(IKubernetes client, WebhookCertificateStore store, LeaderElectionService leadership, WebhookRegistration registration, DeploymentOwner owner, IOptions<OperatorOptions> options, ILogger<WebhookCertificateManager> logger, TimeProvider? time = null)
    {
        _owner = owner;
        _client = client;
        _store = store;
        _leadership = leadership;
        _registration = registration;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The names the serving certificate must carry: the Service's DNS names, and loopback for local runs.</summary>
    public IReadOnlyList<string> DnsNames =>
    [
        _options.WebhookService,
        $"{_options.WebhookService}.{_options.Namespace}",
        $"{_options.WebhookService}.{_options.Namespace}.svc",
        $"{_options.WebhookService}.{_options.Namespace}.svc.cluster.local",
        "localhost",
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Checking the webhook certificate in Secret {Namespace}/{Secret} failed: {Error}", _options.Namespace, _options.CertSecret, Describe(e));
            }

            try
            {
                // A follower also wakes when leadership arrives, so a new leader repairs things at once.
                var nextCheck = Task.Delay(_options.CertCheckInterval, _time, stoppingToken);
                if (_leadership.IsLeader)
                {
                    await nextCheck;
                }
                else
                {
                    await Task.WhenAny(nextCheck, _leadership.WaitForLeadershipAsync(stoppingToken));
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var secret = await ReadSecretAsync(cancellationToken);
        var bundle = CertificateBundle.FromSecret(secret);
        if (bundle is not null && _store.Set(bundle))
        {
            _logger.LogInformation("Serving the webhook with the certificate from Secret {Namespace}/{Secret}, valid until {NotAfter:u}", _options.Namespace, _options.CertSecret, bundle.NotAfter);
        }

        if (!_leadership.IsLeader)
        {
            _logger.LogDebug("Not leading: the leader keeps Secret {Namespace}/{Secret} and the webhook's caBundle current", _options.Namespace, _options.CertSecret);
            return;
        }

        if (!_options.CertProvided && secret is not null && !_owner.Owns(secret.Metadata) && await _owner.ReferenceAsync(cancellationToken) is { } owner)
        {
            // Made before an owner was configured (an older release): adopt it, so an uninstall removes it.
            DeploymentOwner.Adopt(secret.Metadata, owner);
            secret = await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, _options.CertSecret, _options.Namespace, cancellationToken: cancellationToken);
            _logger.LogInformation("Secret {Namespace}/{Secret} is now owned by Deployment {Deployment}", _options.Namespace, _options.CertSecret, owner.Name);
        }

        if (!_options.CertProvided && NeedsNewCertificate(bundle, out var why))
        {
            var issued = CertificateFactory.Create(DnsNames, [IPAddress.Loopback], _options.CertLifetime, _time.GetUtcNow());
            // Replicas pick up the new certificate only at their next check: until then the API server
            // must trust the old one too, so the previous CA stays in the bundle for one rotation.
            bundle = bundle is null ? issued : issued with { CaPem = CertificateBundle.CombineCas(issued.CaPem, bundle.CaPem) };
            await WriteSecretAsync(secret, bundle, cancellationToken);
            _store.Set(bundle);
            _logger.LogInformation("Issued a new webhook certificate ({Reason}), valid until {NotAfter:u}", why, bundle.NotAfter);
        }

        if (bundle is not null)
        {
            await _registration.EnsureAsync(Encoding.UTF8.GetBytes(bundle.CaPem), cancellationToken);
        }
        else
        {
            _logger.LogError("Secret {Namespace}/{Secret} holds no usable certificate (tls.crt and tls.key) and is provided, so it is not replaced", _options.Namespace, _options.CertSecret);
        }
    }

    private bool NeedsNewCertificate(CertificateBundle? bundle, out string reason)
    {
        if (bundle is null)
        {
            reason = "none yet";
            return true;
        }

        if (bundle.NotAfter - _time.GetUtcNow() < _options.CertRenewBefore)
        {
            reason = $"the current one expires {bundle.NotAfter:u}";
            return true;
        }

        if (!bundle.Covers(DnsNames))
        {
            reason = "the current one does not name the webhook Service";
            return true;
        }

        reason = string.Empty;
        return false;
    }

    private async Task<V1Secret?> ReadSecretAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedSecretAsync(_options.CertSecret, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task WriteSecretAsync(V1Secret? existing, CertificateBundle bundle, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            var created = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = _options.CertSecret, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "controlplane-operator" } },
                Type = "kubernetes.io/tls",
                Data = bundle.ToSecretData(),
            };
            if (await _owner.ReferenceAsync(cancellationToken) is { } owner)
            {
                DeploymentOwner.Adopt(created.Metadata, owner);
            }

            await _client.CoreV1.CreateNamespacedSecretAsync(created, _options.Namespace, cancellationToken: cancellationToken);
            return;
        }

        // Replacing with the version read makes a concurrent writer's change a conflict, not a silent loss.
        existing.Data = bundle.ToSecretData();
        await _client.CoreV1.ReplaceNamespacedSecretAsync(existing, _options.CertSecret, _options.Namespace, cancellationToken: cancellationToken);
    }

    private static string Describe(Exception e) => e is HttpOperationException h ? $"HTTP {(int)h.Response.StatusCode}: {h.Response.Content}" : e.Message;
}
