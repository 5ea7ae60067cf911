using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Tests.Infrastructure;
using k8s;
using k8s.Models;
using static ControlPlane.FakeKubernetes.Tests.Infrastructure.AdmissionResponses;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Denials, and webhooks that cannot be asked: failurePolicy Fail rejects, Ignore lets the object through untouched.</summary>
public sealed class AdmissionFailureTests : WebhookTestBase
{
    [Fact]
    public async Task A_denial_fails_the_create_with_the_webhooks_code_and_message()
    {
        await RegisterAsync(Webhooks.ForPods("policy.example.com", Webhook.Url("/mutate"), Ca.CaBundle));
        Webhook.RespondWith(_ => Deny("pods need an owner", code: 403));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.Forbidden);
        failure.Message.Should().Be("admission webhook \"policy.example.com\" denied the request: pods need an owner");
        (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("a denied object is not stored");
    }

    [Fact]
    public async Task A_denial_without_a_code_is_a_400()
    {
        await RegisterAsync(Webhooks.ForPods("policy.example.com", Webhook.Url("/mutate"), Ca.CaBundle));
        Webhook.RespondWith(_ => Deny("no"));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.BadRequest);
        failure.Message.Should().Be("admission webhook \"policy.example.com\" denied the request: no");
    }

    [Fact]
    public async Task An_unreachable_webhook_that_must_not_fail_rejects_the_create()
    {
        await RegisterAsync(Webhooks.ForPods("down.example.com", $"https://127.0.0.1:{UnusedPort.Find()}/mutate", Ca.CaBundle));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Reason.Should().Be("InternalError");
        failure.Message.Should().StartWith("Internal error occurred: failed calling webhook \"down.example.com\": failed to call webhook: Post \"https://127.0.0.1:");
        (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unreachable_webhook_that_may_be_ignored_lets_the_pod_through_unmutated()
    {
        await RegisterAsync(
            Webhooks.ForPods("down.example.com", $"https://127.0.0.1:{UnusedPort.Find()}/mutate", Ca.CaBundle, failurePolicy: "Ignore"),
            Webhooks.ForPods("up.example.com", Webhook.Url("/mutate"), Ca.CaBundle));
        Webhook.RespondWith(_ => Patch(Add("/metadata/labels", new JsonObject { ["seen-by"] = "up" })));

        var pod = await CreatePodAsync("default", "web");

        pod.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["seen-by"] = "up" }, "the ignored webhook changed nothing, the next one still ran");
    }

    [Fact]
    public async Task A_certificate_not_signed_by_the_ca_bundle_counts_as_unreachable()
    {
        using var otherCa = TestCertificateAuthority.Create("someone-else");
        await using var impostor = await WebhookServer.StartAsync(otherCa.IssueServerCertificate(IPAddress.Loopback));
        await RegisterAsync("strict", Webhooks.ForPods("strict.example.com", impostor.Url("/mutate"), Ca.CaBundle));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Message.Should().Contain("failed calling webhook \"strict.example.com\"").And.Contain("x509: certificate signed by unknown authority");
        impostor.Received.Should().BeEmpty("the request is never sent over a connection the client does not trust");

        await Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync("strict");
        await RegisterAsync("lenient", Webhooks.ForPods("lenient.example.com", impostor.Url("/mutate"), Ca.CaBundle, failurePolicy: "Ignore"));
        (await CreatePodAsync("default", "web")).Metadata.Name.Should().Be("web");
        impostor.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task A_certificate_for_another_address_is_refused()
    {
        await using var elsewhere = await WebhookServer.StartAsync(Ca.IssueServerCertificate(IPAddress.Parse("127.0.0.2")));
        await RegisterAsync(Webhooks.ForPods("elsewhere.example.com", elsewhere.Url("/mutate"), Ca.CaBundle));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Message.Should().Contain("x509: certificate is not valid for 127.0.0.1");
        elsewhere.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task A_webhook_that_does_not_answer_within_its_timeout_fails_the_call()
    {
        var webhook = Webhooks.ForPods("slow.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.TimeoutSeconds = 1;
        await RegisterAsync(webhook);
        Webhook.Respond = async (_, hangUp) =>
        {
            // Never answers: waits until the caller gives up (or the server stops).
            await Task.Delay(Timeout.InfiniteTimeSpan, hangUp);
            return Allow();
        };

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Message.Should().Contain("failed calling webhook \"slow.example.com\"").And.Contain("context deadline exceeded");
        Webhook.Received.Should().ContainSingle().Which.PathAndQuery.Should().Be("/mutate?timeout=1s");
    }

    [Fact]
    public async Task An_answer_for_another_request_is_a_failed_call()
    {
        await RegisterAsync(
            Webhooks.ForPods("confused.example.com", Webhook.Url("/mutate"), Ca.CaBundle),
            Webhooks.ForPods("ignored.example.com", Webhook.Url("/ignored"), Ca.CaBundle, failurePolicy: "Ignore"));
        Webhook.RespondWith(_ => new JsonObject { ["uid"] = "not-the-request", ["allowed"] = true });

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Message.Should().Contain("failed calling webhook \"confused.example.com\": received invalid webhook response: expected response.uid=");
    }

    [Fact]
    public async Task A_service_reference_cannot_be_called_and_says_so()
    {
        var webhook = Webhooks.ForPods("in-cluster.example.com", Webhook.Url("/mutate"), Ca.CaBundle);
        webhook.ClientConfig = new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = "mesh-system", Name = "injector", Path = "/mutate" },
            CaBundle = Ca.CaBundle,
        };
        await RegisterAsync(webhook);

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Message.Should().Contain("failed calling webhook \"in-cluster.example.com\"").And.Contain("clientConfig.service mesh-system/injector cannot be reached");
    }

    [Fact]
    public async Task A_patch_that_does_not_apply_fails_even_when_failures_may_be_ignored()
    {
        await RegisterAsync(Webhooks.ForPods("sloppy.example.com", Webhook.Url("/mutate"), Ca.CaBundle, failurePolicy: "Ignore"));
        Webhook.RespondWith(_ => Patch(Add("/metadata/labels/injected", "true")));

        var failure = await ApiFailure.CaptureAsync(() => CreatePodAsync("default", "web"));

        failure.Code.Should().Be(HttpStatusCode.InternalServerError);
        failure.Message.Should().Contain("webhook \"sloppy.example.com\" does not apply").And.Contain("/metadata/labels does not exist");
    }

    [Fact]
    public async Task Webhook_configurations_are_never_sent_to_webhooks()
    {
        var webhook = Webhooks.ForPods("everything.example.com", $"https://127.0.0.1:{UnusedPort.Find()}/mutate", Ca.CaBundle);
        webhook.Rules = [new V1RuleWithOperations { Operations = ["*"], ApiGroups = ["*"], ApiVersions = ["*"], Resources = ["*"] }];
        await RegisterAsync(webhook);

        var second = await Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(Webhooks.Configuration("another", webhook));

        second.Metadata.Name.Should().Be("another", "a broken webhook must not lock out its own configuration");
    }
}
