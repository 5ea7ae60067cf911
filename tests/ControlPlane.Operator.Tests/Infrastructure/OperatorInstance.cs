using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Certificates;
using ControlPlane.Operator.Leadership;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Operator.Tests.Infrastructure;

/// <summary>The real operator host on loopback ports, pointed at a test cluster through a kubeconfig.</summary>
public sealed class OperatorInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private OperatorInstance(WebApplication app, OperatorOptions options, TestLogSink logs)
    {
        _app = app;
        Options = options;
        Logs = logs;
        var ports = app.Services.GetRequiredService<ControlPlane.Mesh.Hosting.BoundPorts>();
        WebhookAddress = new Uri($"https://127.0.0.1:{ports.PortOf("webhook")}");
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.PortOf("http")}") };
    }

    public OperatorOptions Options { get; }

    public TestLogSink Logs { get; }

    public Uri WebhookAddress { get; }

    public HttpClient Http { get; }

    public bool IsLeader => _app.Services.GetRequiredService<LeaderElectionService>().IsLeader;

    public WebhookCertificateStore Certificates => _app.Services.GetRequiredService<WebhookCertificateStore>();

    public static async Task<OperatorInstance> StartAsync(TestCluster cluster, string ns, Action<OperatorOptions>? configure = null, bool waitReady = true)
    {
        var options = new OperatorOptions
        {
            Namespace = ns,
            Kubeconfig = cluster.KubeconfigPath,
            ListenAddress = "127.0.0.1",
            WebhookPort = 0,
            HttpPort = 0,
            WebhookConfig = $"{ns}-sidecar-injector",
            // Cluster-scoped: named after the test's namespace, so operators of other runs on a shared
            // cluster (and a real "default") neither steer nor report on this one's settings.
            SidecarInjector = $"{ns}-injector",
            CertCheckInterval = TimeSpan.FromMilliseconds(200),
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            LogLevel = "Debug",
        };
        configure?.Invoke(options);
        var logs = new TestLogSink();
        var app = OperatorHost.Build(options, builder => builder.Logging.AddProvider(logs));
        await app.StartAsync();
        var instance = new OperatorInstance(app, options, logs);
        if (waitReady)
        {
            await Eventually.Until(async () => (await instance.Http.GetAsync("/healthz/ready")).IsSuccessStatusCode, ok => ok, "the operator to be ready");
        }

        return instance;
    }

    /// <summary>An HTTPS client that trusts exactly the webhook's CA, as the API server does with caBundle.</summary>
    public HttpClient WebhookClient()
    {
        var ca = X509Certificate2.CreateFromPem(Certificates.Bundle!.CaPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        return new HttpClient(handler) { BaseAddress = WebhookAddress };
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
