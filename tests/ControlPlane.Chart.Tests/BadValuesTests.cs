using ControlPlane.Chart.Tests.Infrastructure;

namespace ControlPlane.Chart.Tests;

/// <summary>values.schema.json and the template checks turn bad values into a failed render, not a broken cluster.</summary>
public sealed class BadValuesTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "failure policy", "webhook:\n  failurePolicy: Sometimes\n", "webhook.failurePolicy" },
        { "lower-case failure policy", "webhook:\n  failurePolicy: fail\n", "webhook.failurePolicy" },
        { "revision not a DNS label", "revision: Canary_1\n", "revision" },
        { "negative replicas", "xdsServer:\n  replicas: -1\n", "xdsServer.replicas" },
        { "fractional replicas", "operator:\n  replicas: 1.5\n", "operator.replicas" },
        { "debounce not a number", "xdsServer:\n  debounce:\n    afterMs: fast\n    maxMs: 10000\n", "xdsServer.debounce.afterMs" },
        { "misspelt key", "webhook:\n  failurePolicyy: Fail\n", "failurePolicyy" },
        { "unknown top-level key", "replicas: 3\n", "replicas" },
        { "webhook timeout over 30s", "webhook:\n  timeoutSeconds: 60\n", "webhook.timeoutSeconds" },
        { "bad pull policy", "image:\n  pullPolicy: Sometimes\n", "image.pullPolicy" },
        { "bad minAvailable", "operator:\n  podDisruptionBudget:\n    minAvailable: lots\n", "operator.podDisruptionBudget.minAvailable" },
        { "bad quantity", "xdsServer:\n  resources:\n    requests:\n      memory: a lot\n", "memory" },
        { "eds debounce not a boolean", "xdsServer:\n  debounce:\n    afterMs: 100\n    maxMs: 10000\n    everyEdsPush: sometimes\n", "xdsServer.debounce.everyEdsPush" },
        { "debounce after beyond max", "xdsServer:\n  debounce:\n    afterMs: 20000\n    maxMs: 10000\n", "must not exceed xdsServer.debounce.maxMs" },
        { "extra args not strings", "operator:\n  extraArgs:\n    - 3\n", "operator.extraArgs" },
        { "no service account name", "operator:\n  serviceAccount:\n    create: false\n", "operator.serviceAccount.name is required" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Template_refuses(string name, string yaml, string messageFragment)
    {
        var result = await Helm.TemplateAsync(new ValueSet(name, yaml));

        result.Succeeded.Should().BeFalse($"the {name} values should not render: {result}");
        result.StandardError.Should().Contain(messageFragment);
    }

    [Fact]
    public async Task A_provided_service_account_is_used_and_not_created()
    {
        var values = new ValueSet("existing-sa", "operator:\n  serviceAccount:\n    create: false\n    name: platform-operator\n");

        var chart = await ChartRenders.RenderAsync(values);

        chart.OfKind<k8s.Models.V1ServiceAccount>().Select(sa => sa.Metadata.Name).Should().Equal(ChartNames.XdsServer);
        chart.Single<k8s.Models.V1Deployment>(ChartNames.Operator).Spec.Template.Spec.ServiceAccountName
            .Should().Be("platform-operator");
        chart.Single<k8s.Models.V1ClusterRoleBinding>(ChartNames.Operator).Subjects.Should().ContainSingle()
            .Which.Name.Should().Be("platform-operator");
    }
}
