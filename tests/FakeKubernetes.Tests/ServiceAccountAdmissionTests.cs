using ControlPlane.FakeKubernetes.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>
/// The ServiceAccount admission plugin as a real API server runs it: a pod runs as its
/// serviceAccountName ("default" when unset), which must exist; nothing creates it by itself here.
/// </summary>
public sealed class ServiceAccountAdmissionTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _client = _api.CreateClient();
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "fresh" } });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_pod_in_a_fresh_namespace_is_forbidden_until_its_default_service_account_exists()
    {
        var refused = await ApiFailure.CaptureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web"), "fresh"));

        refused.Code.Should().Be(System.Net.HttpStatusCode.Forbidden);
        refused.Reason.Should().Be("Forbidden");
        refused.Message.Should().Be("pods \"web\" is forbidden: error looking up service account fresh/default: serviceaccount \"default\" not found");
        (await _client.CoreV1.ListNamespacedServiceAccountAsync("fresh")).Items.Should().BeEmpty("no controller makes the account");

        await ServiceAccounts.EnsureDefaultAsync(_client, "fresh");
        var created = await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web"), "fresh");

        created.Spec.ServiceAccountName.Should().Be("default", "an unset account means the namespace's default");
    }

    [Fact]
    public async Task A_pod_naming_another_service_account_needs_that_one()
    {
        await ServiceAccounts.EnsureDefaultAsync(_client, "fresh");
        var pod = Webhooks.Pod("runner");
        pod.Spec.ServiceAccountName = "builder";

        var refused = await ApiFailure.CaptureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(pod, "fresh"));
        refused.Message.Should().Contain("serviceaccount \"builder\" not found");

        await _client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "builder" } }, "fresh");
        (await _client.CoreV1.CreateNamespacedPodAsync(pod, "fresh")).Spec.ServiceAccountName.Should().Be("builder");
    }
}
