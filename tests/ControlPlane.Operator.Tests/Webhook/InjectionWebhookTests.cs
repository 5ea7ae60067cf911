using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Webhook;

/// <summary>The /inject webhook over HTTPS with real AdmissionReview JSON, the operator watching a test cluster.</summary>
public sealed class InjectionWebhookTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private OperatorInstance _operator = null!;
    private string _enabled = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(_cluster);
        var home = await _cluster.CreateNamespaceAsync("cp");
        _enabled = await _cluster.CreateNamespaceAsync("shop", new Dictionary<string, string> { ["istio-injection"] = "enabled" });
        _operator = await OperatorInstance.StartAsync(_cluster, home);
    }

    public async Task DisposeAsync()
    {
        await _operator.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Theory]
    [InlineData("this is not json", "invalid AdmissionReview")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}", "expected apiVersion admission.k8s.io/v1")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "has no request")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"object\":{}}}", "has no uid")]
    [InlineData("[1,2,3]", "must be a JSON object")]
    public async Task Bad_admission_reviews_get_400_with_the_reason(string body, string reason)
    {
        using var client = _operator.WebhookClient();

        using var response = await client.PostAsync("/inject", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(reason);
        _operator.Logs.Messages.Should().Contain(m => m.Contains("bad AdmissionReview", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_pod_in_an_enabled_namespace_gets_a_sidecar_patch()
    {
        using var client = _operator.WebhookClient();

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, AdmissionReviews.Pod("web-1")));

        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        response["patchType"]!.GetValue<string>().Should().Be("JSONPatch");
        var patch = AdmissionReviews.Patch(response).ToJsonString();
        patch.Should().Contain("\"name\":\"istio-proxy\"").And.Contain("\"name\":\"istio-init\"").And.Contain("docker.io/istio/proxyv2:1.10.0");
    }

    [Fact]
    public async Task A_pod_outside_enabled_namespaces_is_let_through_unchanged()
    {
        var plain = await _cluster.CreateNamespaceAsync("plain");
        using var client = _operator.WebhookClient();

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(plain, AdmissionReviews.Pod("web-1")));

        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        response["patch"].Should().BeNull();
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_pod_labelled_with_the_revision_in_an_unlabelled_namespace_gets_a_sidecar_patch()
    {
        var plain = await _cluster.CreateNamespaceAsync("plain");
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-rev", labels: new Dictionary<string, string> { ["istio.io/rev"] = "default" });

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(plain, pod));

        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        AdmissionReviews.Patch(response).ToJsonString().Should().Contain("\"name\":\"istio-proxy\"");
    }

    [Fact]
    public async Task A_pod_that_cannot_be_injected_is_refused_with_the_reason()
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-2", new Dictionary<string, string> { ["mesh.controlplane.io/proxy-flavor"] = "nginx" });

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["message"]!.GetValue<string>().Should().Contain("nginx").And.Contain("envoy or mosn");
    }

    [Fact]
    public async Task A_pod_with_an_invalid_sidecar_annotation_is_refused_with_the_reason()
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-bad", new Dictionary<string, string> { ["traffic.sidecar.istio.io/includeOutboundIPRanges"] = "10.0.0.0/33" });

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["message"]!.GetValue<string>().Should()
            .Contain("traffic.sidecar.istio.io/includeOutboundIPRanges=\"10.0.0.0/33\" is invalid").And.Contain("is not a CIDR");
        _operator.Logs.Messages.Should().Contain(m => m.Contains("Refusing pod", StringComparison.Ordinal) && m.Contains("10.0.0.0/33", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Annotations_without_effect_come_back_as_admission_warnings_and_are_logged()
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-warn", new Dictionary<string, string> { ["sidecar.istio.io/proxyCpu"] = "50m" });

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        response["patch"].Should().NotBeNull();
        response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).Should()
            .ContainSingle(w => w.StartsWith("sidecar.istio.io/proxyCpu:", StringComparison.Ordinal) && w.Contains("not an annotation Istio 1.10 knows", StringComparison.Ordinal));
        _operator.Logs.Messages.Should().Contain(m => m.StartsWith("Warning:", StringComparison.Ordinal) && m.Contains("web-warn", StringComparison.Ordinal) && m.Contains("proxyCpu", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Settings_edited_with_kubectl_apply_to_the_next_pod_and_status_reports_them()
    {
        await CreateDefaultInjectorAsync("MOSN");
        try
        {
            var status = await Eventually.Until(ReadStatusAsync, s => s?["observedGeneration"]?.GetValue<long>() == 1, "status for generation 1");
            var ready = status!["conditions"]!.AsArray().Single()!;
            ready["type"]!.GetValue<string>().Should().Be("Ready");
            ready["status"]!.GetValue<string>().Should().Be("True");
            ready["reason"]!.GetValue<string>().Should().Be("Accepted");

            using var client = _operator.WebhookClient();
            await Eventually.Until(
                async () => AdmissionReviews.Patch(await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, AdmissionReviews.Pod("web-3")))).ToJsonString(),
                patch => patch.Contains("/usr/local/bin/mosn", StringComparison.Ordinal),
                "the next pod to get MOSN");
        }
        finally
        {
            await DeleteInjectorAsync(_operator.Options.SidecarInjector);
        }
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Another_operators_settings_are_neither_used_nor_reported_on()
    {
        var other = $"{_operator.Options.SidecarInjector}-other";
        await CreateInjectorAsync(other, "MOSN");
        try
        {
            await CreateDefaultInjectorAsync("Envoy");
            // The informer delivers in order: once this operator's own settings have a status, it has seen the other's.
            await Eventually.Until(ReadStatusAsync, s => s?["observedGeneration"]?.GetValue<long>() == 1, "status of this operator's settings");

            (await ReadStatusAsync(other)).Should().BeNull("only the operator using a SidecarInjector writes its status");
            using var client = _operator.WebhookClient();
            AdmissionReviews.Patch(await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, AdmissionReviews.Pod("web-5"))))
                .ToJsonString().Should().NotContain("/usr/local/bin/mosn");
        }
        finally
        {
            await DeleteInjectorAsync(other);
            await DeleteInjectorAsync(_operator.Options.SidecarInjector);
        }
    }

    [Fact]
    public async Task An_invalid_edit_is_reported_in_status_and_the_last_valid_settings_stay_in_use()
    {
        // A real API server's schema refuses this edit already; the fake stores it, as an old or broken cluster might.
        var fake = _cluster.Fake ?? throw new InvalidOperationException("runs against the fake API server only");
        await CreateDefaultInjectorAsync("MOSN");
        await Eventually.Until(ReadStatusAsync, s => s?["observedGeneration"]?.GetValue<long>() == 1, "status for generation 1");

        await _cluster.Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("{\"spec\":{\"proxyFlavor\":\"Nginx\"}}", V1Patch.PatchType.MergePatch),
            "mesh.controlplane.io", "v1alpha1", "sidecarinjectors", _operator.Options.SidecarInjector);

        var status = await Eventually.Until(ReadStatusAsync, s => s?["observedGeneration"]?.GetValue<long>() == 2, "status for generation 2");
        var ready = status!["conditions"]!.AsArray().Single()!;
        ready["status"]!.GetValue<string>().Should().Be("False");
        ready["reason"]!.GetValue<string>().Should().Be("InvalidSpec");
        ready["message"]!.GetValue<string>().Should().Contain("Nginx");
        using var client = _operator.WebhookClient();
        AdmissionReviews.Patch(await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, AdmissionReviews.Pod("web-4"))))
            .ToJsonString().Should().Contain("/usr/local/bin/mosn", "the last valid settings (MOSN) stay in use");
        fake.Should().NotBeNull();
    }

    /// <summary>The SidecarInjector this test's operator uses (its "default").</summary>
    private Task CreateDefaultInjectorAsync(string flavor) => CreateInjectorAsync(_operator.Options.SidecarInjector, flavor);

    private Task CreateInjectorAsync(string name, string flavor) =>
        _cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = "mesh.controlplane.io/v1alpha1",
                ["kind"] = "SidecarInjector",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject { ["proxyFlavor"] = flavor },
            },
            "mesh.controlplane.io", "v1alpha1", "sidecarinjectors");

    private async Task DeleteInjectorAsync(string name)
    {
        try
        {
            await _cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync("mesh.controlplane.io", "v1alpha1", "sidecarinjectors", name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Never created.
        }
    }

    private Task<JsonObject?> ReadStatusAsync() => ReadStatusAsync(_operator.Options.SidecarInjector);

    private async Task<JsonObject?> ReadStatusAsync(string name)
    {
        var obj = await _cluster.Client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>("mesh.controlplane.io", "v1alpha1", "sidecarinjectors", name);
        return obj["status"] as JsonObject;
    }
}
