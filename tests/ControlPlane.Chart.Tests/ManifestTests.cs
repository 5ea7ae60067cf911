using ControlPlane.Chart.Tests.Infrastructure;
using k8s;

namespace ControlPlane.Chart.Tests;

/// <summary>What holds for every object the chart renders, with every value set.</summary>
public sealed class ManifestTests
{
    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Every_document_is_a_known_kind_and_fits_its_typed_model(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        chart.Documents.Should().NotBeEmpty();
        foreach (var document in chart.Documents)
        {
            var model = KubernetesKinds.ModelFor(document);
            model.Should().NotBeNull($"{document} should be one of the kinds the chart is meant to render");
            var deserialize = () => KubernetesKinds.DeserializeStrict(document, model!);
            deserialize.Should().NotThrow($"{document} should have only fields its model knows");
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Renders_each_object_once(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        chart.Documents.Select(d => (d.Kind, d.Name)).Should().OnlyHaveUniqueItems();
        chart.Documents.Select(d => d.Kind).Distinct().Should().BeEquivalentTo(
            "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
            "Service", "Deployment", "PodDisruptionBudget", "MutatingWebhookConfiguration");
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Namespaced_objects_are_in_the_release_namespace_and_cluster_objects_in_none(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        foreach (var document in chart.Documents)
        {
            var expected = KubernetesKinds.ClusterScoped.Contains(document.Kind) ? null : ChartNames.Namespace;
            document.Namespace.Should().Be(expected, $"{document}");
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Every_object_carries_the_standard_labels(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        foreach (var document in chart.Documents)
        {
            var labels = KubernetesYaml.Deserialize<ManifestHeader>(document.Yaml).Metadata.Labels;
            labels.Should().NotBeNull($"{document} should be labelled");
            labels.Should().Contain("app.kubernetes.io/name", "controlplane");
            labels.Should().Contain("app.kubernetes.io/instance", ChartNames.Release);
            labels.Should().Contain("app.kubernetes.io/version", ChartNames.AppVersion);
            labels.Should().Contain("app.kubernetes.io/managed-by", "Helm");
            labels.Should().Contain("helm.sh/chart", "controlplane-0.1.0");
            labels!["app.kubernetes.io/component"].Should().BeOneOf("xds-server", "operator");
        }
    }

    [Fact]
    public async Task Object_names_follow_the_release_name()
    {
        var chart = await ChartRenders.RenderAsync(ValueSets.Defaults, release: "prod", @namespace: "istio-system");

        chart.Documents.Should().OnlyContain(d => d.Name.StartsWith("prod-controlplane-"));
        chart.Documents.Where(d => d.Namespace != null).Should().OnlyContain(d => d.Namespace == "istio-system");
    }
}
