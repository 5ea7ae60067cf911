using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Lifecycle;

/// <summary>
/// The operator registers its webhook by URL, and a pod created through the API server comes back
/// injected: against the fake API server (which calls admission webhooks) or a real cluster.
/// </summary>
public sealed class EndToEndInjectionTests
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_pod_created_in_a_labelled_namespace_comes_back_injected()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(cluster);
        var home = await cluster.CreateNamespaceAsync("cp");
        var config = $"{home}-sidecar-injector";
        OperatorInstance? op = null;
        try
        {
            op = await OperatorInstance.StartAsync(cluster, home, o =>
            {
                o.WebhookConfig = config;
                // The webhook's port is known only once it listens; register it by a fixed free port.
                o.WebhookPort = FreePort();
                o.WebhookUrl = $"https://127.0.0.1:{o.WebhookPort}/inject";
            });
            await Eventually.Until(
                async () => (await cluster.Client.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync()).Items.Any(c => c.Metadata.Name == config),
                found => found,
                "the webhook registration");

            var ns = await cluster.CreateNamespaceAsync("app", new Dictionary<string, string> { ["istio-injection"] = "enabled" });
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
                },
                ns);

            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", ns);
            pod.Spec.Containers.Select(c => c.Name).Should().Equal("web", "istio-proxy");
            pod.Spec.InitContainers.Select(c => c.Name).Should().Equal("istio-init");
            pod.Metadata.Labels.Should().Contain("service.istio.io/canonical-name", "web");
            pod.Metadata.Annotations.Should().ContainKey("sidecar.istio.io/status");
        }
        finally
        {
            if (op is not null)
            {
                await op.DisposeAsync();
            }

            try
            {
                await cluster.Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(config);
            }
            catch (Exception)
            {
                // Never registered.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
