using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Tests.Infrastructure;
using k8s;
using k8s.Models;
using static ControlPlane.FakeKubernetes.Tests.Infrastructure.AdmissionResponses;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Mutating webhooks that match: what they are sent, and how their patches end up stored.</summary>
public sealed class AdmissionMutationTests : WebhookTestBase
{
    private static readonly Dictionary<string, string> Injected = new() { ["injection"] = "enabled" };

    [Fact]
    public async Task A_matching_pod_comes_back_patched_and_is_stored_so()
    {
        await CreateNamespaceAsync("mesh", Injected);
        var webhook = Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.NamespaceSelector = new V1LabelSelector { MatchLabels = Injected };
        webhook.ObjectSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "sidecar", OperatorProperty = "NotIn", Values = ["false"] }],
        };
        await RegisterAsync(webhook);
        Webhook.RespondWith(_ => Patch(
            Add("/metadata/labels/injected", "true"),
            Add("/metadata/annotations", new JsonObject { ["mesh/status"] = "injected" }),
            Add("/spec/containers/-", new JsonObject { ["name"] = "proxy", ["image"] = "example/proxy:1" }),
            // The parent here is an array element: /spec/containers/0.
            Add("/spec/containers/0/env", new JsonArray(new JsonObject { ["name"] = "MESH", ["value"] = "on" }))));

        var created = await CreatePodAsync("mesh", "web", new Dictionary<string, string> { ["app"] = "web" });

        foreach (var pod in new[] { created, await Client.CoreV1.ReadNamespacedPodAsync("web", "mesh") })
        {
            pod.Metadata.Labels.Should().Contain("injected", "true").And.Contain("app", "web");
            pod.Metadata.Annotations.Should().Contain("mesh/status", "injected");
            pod.Spec.Containers.Select(c => c.Name).Should().Equal("app", "proxy");
            pod.Spec.Containers[0].Env.Should().ContainSingle().Which.Value.Should().Be("on");
            pod.Metadata.Uid.Should().NotBeNullOrEmpty("the mutated object is stored like any other");
        }

        Webhook.Received.Should().ContainSingle();
    }

    [Fact]
    public async Task A_dry_run_create_is_mutated_by_webhooks_that_allow_it_and_stores_nothing()
    {
        await RegisterAsync(Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle));
        Webhook.RespondWith(_ => Patch(Add("/metadata/labels/injected", "true")));

        var shown = await CreatePodAsync("default", "web", new Dictionary<string, string> { ["app"] = "web" }, dryRun: "All");

        shown.Metadata.Labels.Should().Contain("injected", "true");
        Webhook.Received.Should().ContainSingle().Which.Request["dryRun"]!.GetValue<bool>().Should().BeTrue();
        (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("a dry run stores nothing");
    }

    [Fact]
    public async Task A_dry_run_fails_rather_than_call_a_webhook_with_side_effects()
    {
        var webhook = Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.SideEffects = "Some";
        await RegisterAsync(webhook);

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web", dryRun: "All"));

        failure.Code.Should().Be(System.Net.HttpStatusCode.BadRequest);
        failure.Message.Should().Contain("admission webhook \"inject.example.com\" does not support dry run");
        Webhook.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task The_review_is_shaped_as_a_real_api_server_sends_it()
    {
        await RegisterAsync(Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle));

        await CreatePodAsync("default", "web", new Dictionary<string, string> { ["app"] = "web" });

        var received = Webhook.Received.Should().ContainSingle().Subject;
        received.PathAndQuery.Should().Be("/mutate?timeout=10s", "the server passes its deadline, by default 10s");
        received.Review["apiVersion"]!.GetValue<string>().Should().Be("admission.k8s.io/v1");
        received.Review["kind"]!.GetValue<string>().Should().Be("AdmissionReview");
        var request = received.Request;
        Guid.TryParse(request["uid"]!.GetValue<string>(), out _).Should().BeTrue();
        var kind = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" };
        var resource = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" };
        JsonNode.DeepEquals(request["kind"], kind).Should().BeTrue();
        JsonNode.DeepEquals(request["requestKind"], kind).Should().BeTrue();
        JsonNode.DeepEquals(request["resource"], resource).Should().BeTrue();
        JsonNode.DeepEquals(request["requestResource"], resource).Should().BeTrue();
        request["name"]!.GetValue<string>().Should().Be("web");
        request["namespace"]!.GetValue<string>().Should().Be("default");
        request["operation"]!.GetValue<string>().Should().Be("CREATE");
        request["userInfo"]!["username"]!.GetValue<string>().Should().Be("fake-admin");
        request["dryRun"]!.GetValue<bool>().Should().BeFalse();
        request["options"]!["kind"]!.GetValue<string>().Should().Be("CreateOptions");
        received.Object["kind"]!.GetValue<string>().Should().Be("Pod");
        received.Object["metadata"]!["namespace"]!.GetValue<string>().Should().Be("default");
        received.Object["metadata"]!["labels"]!["app"]!.GetValue<string>().Should().Be("web");
        received.Object["metadata"]!["uid"].Should().BeNull("the object is not stored yet");
    }

    [Fact]
    public async Task Pods_outside_the_namespace_selector_are_not_sent()
    {
        await CreateNamespaceAsync("mesh", Injected);
        await CreateNamespaceAsync("plain", new Dictionary<string, string> { ["injection"] = "disabled" });
        var webhook = Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.NamespaceSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "injection", OperatorProperty = "In", Values = ["enabled"] }],
        };
        await RegisterAsync(webhook);
        Webhook.RespondWith(_ => Patch(Add("/metadata/labels", new JsonObject { ["injected"] = "true" })));

        var plain = await CreatePodAsync("plain", "web");
        var nowhere = await CreatePodAsync("never-created", "web");
        var mesh = await CreatePodAsync("mesh", "web");

        plain.Metadata.Labels.Should().BeNull();
        nowhere.Metadata.Labels.Should().BeNull("a namespace that does not exist has no labels");
        mesh.Metadata.Labels.Should().Contain("injected", "true");
        Webhook.Received.Select(r => r.Request["namespace"]!.GetValue<string>()).Should().Equal("mesh");
    }

    [Fact]
    public async Task Pods_outside_the_object_selector_are_not_sent()
    {
        var webhook = Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.ObjectSelector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "sidecar.example.com/skip", OperatorProperty = "DoesNotExist" }],
        };
        await RegisterAsync(webhook);

        await CreatePodAsync("default", "unlabelled");
        await CreatePodAsync("default", "other-app", new Dictionary<string, string> { ["app"] = "db" });
        await CreatePodAsync("default", "opted-out", new Dictionary<string, string> { ["app"] = "web", ["sidecar.example.com/skip"] = "" });
        await CreatePodAsync("default", "selected", new Dictionary<string, string> { ["app"] = "web" });

        Webhook.Received.Select(r => r.Request["name"]!.GetValue<string>()).Should().Equal("selected");
    }

    [Fact]
    public async Task Rules_pick_the_operation_and_resource()
    {
        var webhook = Webhooks.ForPods("inject.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        var updatesOnly = Webhooks.ForPods("updates.example.com", Webhook.Url("/updates"), Ca.CaBundle);
        updatesOnly.Rules[0].Operations = ["UPDATE"];
        var everything = Webhooks.ForPods("everything.example.com", Webhook.Url("/everything"), Ca.CaBundle);
        everything.Rules = [new V1RuleWithOperations { Operations = ["*"], ApiGroups = ["*"], ApiVersions = ["*"], Resources = ["*"] }];
        // The pod's ServiceAccount first, so that the catch-all webhook sees only the objects below.
        await ServiceAccounts.EnsureDefaultAsync(Client, "default");
        await RegisterAsync(webhook, updatesOnly, everything);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, "default");
        await CreatePodAsync("default", "web");

        Webhook.Received.Select(r => (r.PathAndQuery.Split('?')[0], r.Request["resource"]!["resource"]!.GetValue<string>()))
            .Should().Equal(("/everything", "configmaps"), ("/mutate", "pods"), ("/everything", "pods"));
    }

    [Fact]
    public async Task Configurations_run_in_name_order_each_seeing_the_last_ones_patch()
    {
        var first = Webhooks.ForPods("first.example.com", Webhook.Url("/first"), Ca.CaBundle);
        var second = Webhooks.ForPods("second.example.com", Webhook.Url("/second"), Ca.CaBundle);
        await RegisterAsync("b-second", second);
        await RegisterAsync("a-first", first);
        Webhook.RespondWith(request => request["object"]!["metadata"]!["labels"] is null
            ? Patch(Add("/metadata/labels", new JsonObject { ["order"] = "first" }))
            : Patch(Add("/metadata/labels/order", "first-then-second")));

        var pod = await CreatePodAsync("default", "web");

        Webhook.Received.Select(r => r.PathAndQuery.Split('?')[0]).Should().Equal("/first", "/second");
        pod.Metadata.Labels.Should().Contain("order", "first-then-second");
    }

    [Fact]
    public async Task A_namespace_is_judged_by_its_own_labels()
    {
        var webhook = Webhooks.ForPods("namespaces.example.com", Webhook.Url("/namespaces"), Ca.CaBundle);
        webhook.Rules = [new V1RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["namespaces"], Scope = "Cluster" }];
        webhook.NamespaceSelector = new V1LabelSelector { MatchLabels = Injected };
        await RegisterAsync(webhook);

        await CreateNamespaceAsync("plain");
        await CreateNamespaceAsync("mesh", Injected);

        Webhook.Received.Select(r => r.Request["name"]!.GetValue<string>()).Should().Equal("mesh");
        Webhook.Received[0].Request.ContainsKey("namespace").Should().BeFalse("a namespace is cluster-scoped");
    }
}
