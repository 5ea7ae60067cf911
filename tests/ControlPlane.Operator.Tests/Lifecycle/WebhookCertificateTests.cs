using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Lifecycle;

public sealed class WebhookCertificateTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private string _ns = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        _ns = await _cluster.CreateNamespaceAsync("cp");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Generates_a_certificate_for_the_service_and_patches_the_ca_bundle()
    {
        var config = $"{_ns}-sidecar-injector";
        await _cluster.Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(ChartLikeWebhookConfiguration(config));
        try
        {
            await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o => o.WebhookConfig = config);

            var secret = await _cluster.Client.CoreV1.ReadNamespacedSecretAsync(op.Options.CertSecret, _ns);
            secret.Type.Should().Be("kubernetes.io/tls");
            var ca = Encoding.UTF8.GetString(secret.Data["ca.crt"]);
            using var served = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(secret.Data["tls.crt"]));
            served.MatchesHostname($"{op.Options.WebhookService}.{_ns}.svc").Should().BeTrue();
            (await ServedCertificateAsync(op)).Thumbprint.Should().Be(served.Thumbprint, "the webhook serves the Secret's certificate");

            var patched = await Eventually.Until(
                () => _cluster.Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(config),
                c => c.Webhooks.All(w => w.ClientConfig.CaBundle is { Length: > 0 }),
                "the caBundle to be patched");
            patched.Webhooks.Should().AllSatisfy(w => Encoding.UTF8.GetString(w.ClientConfig.CaBundle).Should().Be(ca));
        }
        finally
        {
            await _cluster.Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(config);
        }
    }

    [Fact]
    public async Task Rotates_a_certificate_that_is_about_to_expire_and_serves_the_new_one()
    {
        // Renewing whenever less than a year is left, with one-hour certificates: every check rotates.
        await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o =>
        {
            o.CertLifetime = TimeSpan.FromHours(1);
            o.CertRenewBefore = TimeSpan.FromDays(365);
        });
        var first = await ServedCertificateAsync(op);

        await Eventually.Until(async () => (await ServedCertificateAsync(op)).Thumbprint, thumbprint => thumbprint != first.Thumbprint, "a rotated certificate to be served");
        var secret = await _cluster.Client.CoreV1.ReadNamespacedSecretAsync(op.Options.CertSecret, _ns);
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPem(Encoding.UTF8.GetString(secret.Data["ca.crt"]));
        trusted.Select(c => c.Thumbprint).Should().HaveCount(2, "the bundle trusts the new CA and, for one rotation, the previous one");
        op.Logs.Messages.Should().Contain(m => m.Contains("Issued a new webhook certificate", StringComparison.Ordinal) && m.Contains("expires", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provided_secret_is_used_and_never_replaced()
    {
        var bundle = ControlPlane.Operator.Certificates.CertificateFactory.Create(["provided.example"], [System.Net.IPAddress.Loopback], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        await _cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "mine" }, Type = "kubernetes.io/tls", Data = bundle.ToSecretData() }, _ns);

        await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o =>
        {
            o.CertSecret = "mine";
            o.CertProvided = true;
        });

        using var expected = bundle.ServerCertificate();
        (await ServedCertificateAsync(op)).Thumbprint.Should().Be(expected.Thumbprint);
        var secret = await _cluster.Client.CoreV1.ReadNamespacedSecretAsync("mine", _ns);
        Encoding.UTF8.GetString(secret.Data["tls.crt"]).Should().Be(bundle.CertificatePem, "a provided certificate is not the operator's to replace, even though it does not name the Service");
    }

    [Fact]
    public void A_rotated_bundle_keeps_only_the_newest_ca_of_the_previous_one()
    {
        var now = DateTimeOffset.UtcNow;
        var first = ControlPlane.Operator.Certificates.CertificateFactory.Create(["a"], [], TimeSpan.FromDays(1), now);
        var second = ControlPlane.Operator.Certificates.CertificateFactory.Create(["a"], [], TimeSpan.FromDays(1), now);
        var combined = ControlPlane.Operator.Certificates.CertificateBundle.CombineCas(second.CaPem, ControlPlane.Operator.Certificates.CertificateBundle.CombineCas(first.CaPem, second.CaPem));

        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPem(combined);
        trusted.Select(c => c.Thumbprint).Should().Equal(
            X509Certificate2.CreateFromPem(second.CaPem).Thumbprint,
            X509Certificate2.CreateFromPem(first.CaPem).Thumbprint);
    }

    private static async Task<X509Certificate2> ServedCertificateAsync(OperatorInstance op)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", op.WebhookAddress.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        return new X509Certificate2(tls.RemoteCertificate!);
    }

    private static V1MutatingWebhookConfiguration ChartLikeWebhookConfiguration(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Webhooks =
        [
            new V1MutatingWebhook
            {
                Name = "namespace.sidecar-injector.mesh.controlplane.io",
                ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "controlplane-operator", NamespaceProperty = "istio-system", Path = "/inject" } },
                Rules = [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Operations = ["CREATE"] }],
                NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["controlplane-test"] = name } },
                SideEffects = "None",
                AdmissionReviewVersions = ["v1"],
                FailurePolicy = "Ignore",
            },
        ],
    };
}
