using ControlPlane.Chart.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Chart.Tests;

public sealed class ChartMetadataTests
{
    [Fact]
    public void Chart_yaml_names_the_v2_controlplane_chart()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Chart, "Chart.yaml")))
        {
            stream.Load(reader);
        }

        var chart = (YamlMappingNode)stream.Documents.Single().RootNode;
        string Field(string key) => ((YamlScalarNode)chart.Children[new YamlScalarNode(key)]).Value!;

        Field("apiVersion").Should().Be("v2");
        Field("name").Should().Be("controlplane");
        Field("version").Should().Be("0.1.0");
        Field("appVersion").Should().Be(ChartNames.AppVersion);
    }

    [Theory]
    [InlineData("values.yaml")]
    [InlineData("values.schema.json")]
    [InlineData("templates/_helpers.tpl")]
    [InlineData("templates/NOTES.txt")]
    public void Chart_has(string file) =>
        File.Exists(Path.Combine(RepoPaths.Chart, file)).Should().BeTrue($"charts/controlplane/{file} should exist");
}
