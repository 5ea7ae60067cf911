using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Webhook;

/// <summary>
/// With --webhook-url the operator registers Istio 1.10's webhooks for its --revision itself; the API
/// server (the fake, which evaluates the selectors) then sends it the pods that revision injects.
/// Not a Cluster test: on a shared cluster the registration would also catch other people's pods.
/// </summary>
public sealed class WebhookUrlRegistrationTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData("default")]
    [InlineData("canary")]
    public async Task Pods_labelled_with_the_revision_in_unlabelled_namespaces_are_injected(string revision)
    {
        var home = await _cluster.CreateNamespaceAsync("cp");
        var config = $"{home}-sidecar-injector";
        await using var op = await OperatorInstance.StartAsync(_cluster, home, o =>
        {
            o.WebhookConfig = config;
            o.WebhookUrl = "https://127.0.0.1:0/inject";
            o.Revision = revision;
        });
        await Eventually.Until(
            async () => (await _cluster.Client.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync()).Items.SingleOrDefault(c => c.Metadata.Name == config),
            c => c?.Webhooks?.All(w => w.ClientConfig.CaBundle?.Length > 0) == true,
            "the webhook registered with its CA");
        var ns = await _cluster.CreateNamespaceAsync("plain");
        var other = revision == "default" ? "canary" : "default";

        var mine = await CreatePodAsync(ns, "mine", new Dictionary<string, string> { ["istio.io/rev"] = revision });
        var theirs = await CreatePodAsync(ns, "theirs", new Dictionary<string, string> { ["istio.io/rev"] = other });
        var unlabelled = await CreatePodAsync(ns, "unlabelled", new Dictionary<string, string> { ["app"] = "web" });

        mine.Spec.Containers.Select(c => c.Name).Should().Equal("web", "istio-proxy");
        mine.Metadata.Labels["istio.io/rev"].Should().Be(revision);
        theirs.Spec.Containers.Select(c => c.Name).Should().Equal("web");
        unlabelled.Spec.Containers.Select(c => c.Name).Should().Equal("web");
    }

    private Task<V1Pod> CreatePodAsync(string ns, string name, Dictionary<string, string> labels) =>
        _cluster.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = labels },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            },
            ns);
}
