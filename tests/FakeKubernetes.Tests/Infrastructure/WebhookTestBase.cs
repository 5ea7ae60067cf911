using System.Net;
using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>
/// A fresh fake API server, the real client on it, a test CA, and a webhook server whose
/// certificate that CA signed for 127.0.0.1: what every admission test starts from.
/// </summary>
public abstract class WebhookTestBase : IAsyncLifetime
{
    protected FakeApiServer Api { get; private set; } = null!;

    protected IKubernetes Client { get; private set; } = null!;

    protected TestCertificateAuthority Ca { get; } = TestCertificateAuthority.Create("webhook-test-ca");

    protected WebhookServer Webhook { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Api = await FakeApiServer.StartAsync();
        Client = Api.CreateClient();
        Webhook = await WebhookServer.StartAsync(Ca.IssueServerCertificate(IPAddress.Loopback));
    }

    public virtual async Task DisposeAsync()
    {
        await Webhook.DisposeAsync();
        Client.Dispose();
        await Api.DisposeAsync();
        Ca.Dispose();
    }

    protected Task RegisterAsync(params V1MutatingWebhook[] webhooks) => RegisterAsync("test-webhooks", webhooks);

    protected Task RegisterAsync(string configuration, params V1MutatingWebhook[] webhooks) =>
        Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(Webhooks.Configuration(configuration, webhooks));

    protected Task CreateNamespaceAsync(string name, IDictionary<string, string>? labels = null) =>
        Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });

    /// <summary>Creates a pod, and first the namespace's default ServiceAccount it runs as (nothing else would).</summary>
    protected async Task<V1Pod> CreatePodAsync(string ns, string name, IDictionary<string, string>? labels = null, string? dryRun = null)
    {
        await ServiceAccounts.EnsureDefaultAsync(Client, ns);
        return await Client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod(name, labels), ns, dryRun: dryRun);
    }
}
