using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

public sealed class XdsServerDeploymentTests
{
    [Fact]
    public async Task Defaults_run_two_replicas_of_the_app_version_image_in_kubernetes_mode()
    {
        var deployment = (await ChartRenders.GetAsync(ValueSets.Defaults)).Single<V1Deployment>(ChartNames.XdsServer);
        var container = deployment.Spec.Template.Spec.Containers.Should().ContainSingle().Subject;

        deployment.Spec.Replicas.Should().Be(2);
        container.Image.Should().Be($"controlplane/xds-server:{ChartNames.AppVersion}");
        container.ImagePullPolicy.Should().Be("IfNotPresent");
        container.Args.Should().Equal(
            "--kubernetes", "--grpc-port", "15010", "--http-port", "15014",
            "--debounce-after-ms", "100", "--debounce-max-ms", "10000");
        container.Command.Should().BeNullOrEmpty("the image's entrypoint starts the server");
    }

    [Fact]
    public async Task Tuned_values_reach_replicas_args_image_resources_and_scheduling()
    {
        var deployment = (await ChartRenders.GetAsync(ValueSets.Tuned)).Single<V1Deployment>(ChartNames.XdsServer);
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        deployment.Spec.Replicas.Should().Be(5);
        ContainerAssertions.ArgValue(container, "--debounce-after-ms").Should().Be("250");
        ContainerAssertions.ArgValue(container, "--debounce-max-ms").Should().Be("5000");
        container.Args.Should().Contain("--debounce-every-eds-push");
        container.Args.Should().EndWith(["--log-level", "Debug"]);
        container.Image.Should().Be("registry.example.com/mesh/controlplane/xds-server:1.2.3");
        container.ImagePullPolicy.Should().Be("Always");
        container.Resources.Requests["cpu"].ToString().Should().Be("500m");
        container.Resources.Requests["memory"].ToString().Should().Be("384Mi");
        container.Resources.Limits["cpu"].ToString().Should().Be("2");
        container.Resources.Limits["memory"].ToString().Should().Be("2Gi");
        pod.NodeSelector.Should().Equal(new Dictionary<string, string> { ["mesh.example.com/pool"] = "control" });
        pod.Tolerations.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "control", Effect = "NoSchedule" });
        pod.ServiceAccountName.Should().Be("xds-reader");
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Serves_ads_and_monitoring_on_named_ports_with_probes(string valueSet)
    {
        var deployment = (await ChartRenders.GetAsync(valueSet)).Single<V1Deployment>(ChartNames.XdsServer);
        var container = deployment.Spec.Template.Spec.Containers.Single();

        container.Ports.Select(p => (p.Name, p.ContainerPort, p.Protocol)).Should().BeEquivalentTo(new[]
        {
            ("grpc-xds", 15010, "TCP"), ("http-monitoring", 15014, "TCP"),
        });
        ContainerAssertions.ShouldProbe(container, 15014);
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Runs_hardened_with_its_namespace_in_the_environment(string valueSet)
    {
        var pod = (await ChartRenders.GetAsync(valueSet)).Single<V1Deployment>(ChartNames.XdsServer).Spec.Template.Spec;
        var container = pod.Containers.Single();

        ContainerAssertions.ShouldBeHardened(pod, container);
        ContainerAssertions.ShouldHavePodNamespaceFromFieldRef(container);
        container.VolumeMounts.Should().ContainSingle(m => m.MountPath == "/tmp", "a read-only root still needs a scratch /tmp");
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Pods_opt_out_of_injection_and_match_the_selector(string valueSet)
    {
        var deployment = (await ChartRenders.GetAsync(valueSet)).Single<V1Deployment>(ChartNames.XdsServer);

        var labels = deployment.Spec.Template.Metadata.Labels;
        labels.Should().Contain("sidecar.istio.io/inject", "false");
        labels.Should().Contain(deployment.Spec.Selector.MatchLabels);
        deployment.Spec.Selector.MatchLabels.Should().Contain("app.kubernetes.io/component", "xds-server");
    }
}
