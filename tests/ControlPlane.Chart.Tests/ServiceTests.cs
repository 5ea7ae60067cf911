using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

public sealed class ServiceTests
{
    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task The_xds_server_service_exposes_ads_and_monitoring(string valueSet)
    {
        var service = (await ChartRenders.GetAsync(valueSet)).Single<V1Service>(ChartNames.XdsServer);

        service.Spec.Type.Should().Be("ClusterIP");
        service.Spec.Ports.Select(p => (p.Name, p.Port, p.TargetPort.Value)).Should().BeEquivalentTo(new[]
        {
            ("grpc-xds", 15010, "15010"), ("http-monitoring", 15014, "15014"),
        });
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task The_operator_service_exposes_the_webhook_on_443_and_monitoring(string valueSet)
    {
        var service = (await ChartRenders.GetAsync(valueSet)).Single<V1Service>(ChartNames.Operator);

        service.Spec.Type.Should().Be("ClusterIP");
        service.Spec.Ports.Select(p => (p.Name, p.Port, p.TargetPort.Value)).Should().BeEquivalentTo(new[]
        {
            ("https-webhook", 443, "9443"), ("http-monitoring", 15015, "15015"),
        });
    }

    [Theory]
    [InlineData(ChartNames.XdsServer)]
    [InlineData(ChartNames.Operator)]
    public async Task Each_service_selects_its_own_pods_only_and_targets_their_ports(string name)
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Defaults);
        var service = chart.Single<V1Service>(name);

        foreach (var deployment in chart.OfKind<V1Deployment>())
        {
            var selected = LabelSelectors.Matches(
                new V1LabelSelector { MatchLabels = service.Spec.Selector }, deployment.Spec.Template.Metadata.Labels.AsReadOnly());
            selected.Should().Be(deployment.Metadata.Name == name, $"service {name} and the pods of {deployment.Metadata.Name}");
        }

        var containerPorts = chart.Single<V1Deployment>(name).Spec.Template.Spec.Containers.Single().Ports
            .Select(p => p.ContainerPort.ToString());
        service.Spec.Ports.Select(p => p.TargetPort.Value).Should().BeSubsetOf(containerPorts);
    }
}
