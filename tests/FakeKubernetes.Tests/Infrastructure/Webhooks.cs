using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>MutatingWebhookConfiguration parts as a test registers them through the real client.</summary>
public static class Webhooks
{
    /// <summary>A webhook on CREATE of core/v1 pods, sent to <paramref name="url"/> trusting <paramref name="caBundle"/>.</summary>
    public static V1MutatingWebhook ForPods(string name, string url, byte[]? caBundle, string failurePolicy = "Fail") => new()
    {
        Name = name,
        ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = url, CaBundle = caBundle },
        Rules =
        [
            new V1RuleWithOperations
            {
                Operations = ["CREATE"],
                ApiGroups = [""],
                ApiVersions = ["v1"],
                Resources = ["pods"],
                Scope = "Namespaced",
            },
        ],
        FailurePolicy = failurePolicy,
        SideEffects = "None",
        AdmissionReviewVersions = ["v1"],
    };

    public static V1MutatingWebhookConfiguration Configuration(string name, params V1MutatingWebhook[] webhooks) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "MutatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name },
        Webhooks = webhooks,
    };

    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "example/app:1" }] },
    };
}
