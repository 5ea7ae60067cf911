using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

public sealed class OperatorDeploymentTests
{
    [Fact]
    public async Task Default_args_name_the_webhook_objects_and_the_xds_server()
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Defaults);
        var deployment = chart.Single<V1Deployment>(ChartNames.Operator);
        var container = deployment.Spec.Template.Spec.Containers.Should().ContainSingle().Subject;

        deployment.Spec.Replicas.Should().Be(2);
        container.Image.Should().Be($"controlplane/operator:{ChartNames.AppVersion}");
        container.Args.Should().Equal(
            "--namespace", "$(POD_NAMESPACE)",
            "--webhook-port", "9443",
            "--http-port", "15015",
            "--webhook-service", ChartNames.Operator,
            "--webhook-config", ChartNames.WebhookConfig,
            "--cert-secret", ChartNames.GeneratedCertSecret,
            "--lease-name", ChartNames.Operator,
            "--owner-deployment", ChartNames.Operator,
            "--discovery-address", ChartNames.DiscoveryAddress,
            "--revision", "default");
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Args_point_at_objects_the_chart_renders(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);
        var container = chart.Single<V1Deployment>(ChartNames.Operator).Spec.Template.Spec.Containers.Single();

        var webhookService = chart.Single<V1Service>(ContainerAssertions.ArgValue(container, "--webhook-service"));
        webhookService.Spec.Ports.Should().Contain(p => p.Port == 443);
        chart.Single<V1MutatingWebhookConfiguration>(ContainerAssertions.ArgValue(container, "--webhook-config"))
            .Webhooks.Should().OnlyContain(w => w.ClientConfig.Service.Name == webhookService.Metadata.Name);

        var xds = chart.Single<V1Service>(ChartNames.XdsServer);
        var grpcPort = xds.Spec.Ports.Single(p => p.Name == "grpc-xds").Port;
        ContainerAssertions.ArgValue(container, "--discovery-address")
            .Should().Be($"{xds.Metadata.Name}.{ChartNames.Namespace}.svc:{grpcPort}");

        chart.Single<V1Deployment>(ContainerAssertions.ArgValue(container, "--owner-deployment"))
            .Spec.Template.Spec.Containers.Should().Contain(c => c.Name == container.Name, "the Lease and Secret are owned by the operator's own Deployment");

        var certSecret = ContainerAssertions.ArgValue(container, "--cert-secret");
        chart.Single<V1Role>(ChartNames.Operator).Rules.Should()
            .Contain(rule => rule.Resources.Contains("secrets") && rule.ResourceNames != null && rule.ResourceNames.Contains(certSecret));
    }

    [Fact]
    public async Task A_provided_certificate_secret_is_handed_to_the_operator()
    {
        var container = (await ChartRenders.GetAsync(ValueSets.Canary))
            .Single<V1Deployment>(ChartNames.Operator).Spec.Template.Spec.Containers.Single();

        ContainerAssertions.ArgValue(container, "--cert-secret").Should().Be("mesh-webhook-tls");
        container.Args.Should().Contain("--cert-provided", "the operator must only read a Secret it does not own");
        ContainerAssertions.ArgValue(container, "--revision").Should().Be("canary", "the operator injects for the release's revision");
    }

    [Fact]
    public async Task Tuned_values_reach_replicas_extra_args_image_and_resources()
    {
        var deployment = (await ChartRenders.GetAsync(ValueSets.Tuned)).Single<V1Deployment>(ChartNames.Operator);
        var container = deployment.Spec.Template.Spec.Containers.Single();

        deployment.Spec.Replicas.Should().Be(3);
        container.Args.Should().StartWith(["--namespace", "$(POD_NAMESPACE)"])
            .And.EndWith(["--revision", "default", "--log-level", "Debug"]);
        container.Image.Should().Be("registry.example.com/mesh/controlplane/operator:1.2.4-rc.1");
        container.Resources.Requests["cpu"].ToString().Should().Be("50m");
        container.Resources.Requests["memory"].ToString().Should().Be("64Mi");
        container.Resources.Limits["memory"].ToString().Should().Be("256Mi");
        deployment.Spec.Template.Spec.NodeSelector.Should().BeNullOrEmpty("scheduling values are per component");
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Serves_the_webhook_and_monitoring_on_named_ports_with_probes(string valueSet)
    {
        var container = (await ChartRenders.GetAsync(valueSet))
            .Single<V1Deployment>(ChartNames.Operator).Spec.Template.Spec.Containers.Single();

        container.Ports.Select(p => (p.Name, p.ContainerPort, p.Protocol)).Should().BeEquivalentTo(new[]
        {
            ("https-webhook", 9443, "TCP"), ("http-monitoring", 15015, "TCP"),
        });
        ContainerAssertions.ShouldProbe(container, 15015);
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Runs_hardened_with_its_namespace_and_name_in_the_environment(string valueSet)
    {
        var deployment = (await ChartRenders.GetAsync(valueSet)).Single<V1Deployment>(ChartNames.Operator);
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        ContainerAssertions.ShouldBeHardened(pod, container);
        ContainerAssertions.ShouldHavePodNamespaceFromFieldRef(container);
        container.Env.Should().ContainSingle(e => e.Name == "POD_NAME")
            .Which.ValueFrom.FieldRef.FieldPath.Should().Be("metadata.name", "the leader-election identity");
        deployment.Spec.Template.Metadata.Labels.Should().Contain("sidecar.istio.io/inject", "false");
        deployment.Spec.Template.Metadata.Labels.Should().Contain(deployment.Spec.Selector.MatchLabels);
    }
}
