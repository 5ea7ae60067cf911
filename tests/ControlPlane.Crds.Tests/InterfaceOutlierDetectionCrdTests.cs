using ControlPlane.Crds.Tests.Infrastructure;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests;

/// <summary>
/// The control plane's InterfaceOutlierDetection CRD: namespaced, structural, every field explained for
/// kubectl explain, a typed status, and the shipped example accepted while bad values are refused.
/// </summary>
public class InterfaceOutlierDetectionCrdTests
{
    private const string FileName = "mesh.controlplane.io_interfaceoutlierdetections.yaml";

    private static readonly V1CustomResourceDefinition Crd =
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoPaths.Crds, FileName)));

    private static V1CustomResourceDefinitionVersion Version => Crd.Spec.Versions.Single();

    private static V1JSONSchemaProps Schema => Version.Schema.OpenAPIV3Schema;

    private const string Valid = """
        spec:
          host: payments
          port: 8080
          subsets: [v1]
          interfaces:
          - name: pay
            match:
              uri: {exact: /pay}
              headers: {x-tenant: {prefix: acme}}
            outlierDetection:
              consecutive5xxErrors: 3
              failurePercentage: {threshold: 50, minimumHosts: 2, requestVolume: 10}
        """;

    [Fact]
    public void Is_a_namespaced_v1alpha1_kind_with_a_status_subresource_and_a_short_name()
    {
        Crd.Metadata.Name.Should().Be("interfaceoutlierdetections.mesh.controlplane.io");
        Crd.Spec.Group.Should().Be("mesh.controlplane.io");
        Crd.Spec.Scope.Should().Be("Namespaced");
        Crd.Spec.Names.Kind.Should().Be("InterfaceOutlierDetection");
        Crd.Spec.Names.ListKind.Should().Be("InterfaceOutlierDetectionList");
        Crd.Spec.Names.Singular.Should().Be("interfaceoutlierdetection");
        Crd.Spec.Names.ShortNames.Should().Equal("iod");
        Crd.Spec.Names.Categories.Should().Equal("controlplane");
        (Version.Name, Version.Served, Version.Storage).Should().Be(("v1alpha1", true, true));
        Version.Subresources.Status.Should().NotBeNull();
    }

    [Fact]
    public void Schema_is_structural_closed_and_explained_field_by_field()
    {
        StructuralSchemaChecker.Violations(Schema).Should().BeEmpty();
        Schema.Properties["spec"].XKubernetesPreserveUnknownFields.Should().NotBe(true, "unknown spec fields must be pruned");
        Schema.Properties["status"].XKubernetesPreserveUnknownFields.Should().NotBe(true, "the xds-server writes a documented status");
        Schema.Properties["status"].Properties.Keys.Should().BeEquivalentTo("observedGeneration", "conditions");
        Undescribed(Schema, "<root>").Should().BeEmpty("kubectl explain prints these descriptions");
    }

    [Fact]
    public void Printer_columns_show_host_interfaces_and_conditions()
    {
        Version.AdditionalPrinterColumns.Select(c => c.Name).Should().Equal("Host", "Interfaces", "Accepted", "MOSN", "Age");
        Version.AdditionalPrinterColumns.Should().AllSatisfy(column =>
        {
            column.Description.Should().NotBeNullOrWhiteSpace();
            PrinterColumnPaths.Resolves(Schema, column.JsonPath).Should().BeTrue($"column {column.Name} reads {column.JsonPath}");
        });
    }

    [Fact]
    public void The_example_validates()
    {
        var example = LoadYaml(File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "controlplane", "interfaceoutlierdetection-payments.yaml")));

        SchemaValidator.Validate(Strip(example), Schema).Should().BeEmpty();
    }

    [Fact]
    public void A_spec_with_every_kind_of_field_validates()
    {
        SchemaValidator.Validate(LoadYaml(Valid), Schema).Should().BeEmpty();
    }

    [Theory]
    [InlineData("  host: payments\n", "", "required field 'host' is missing")]
    [InlineData("  port: 8080\n", "  port: 0\n", "spec.port")]
    [InlineData("  - name: pay\n", "  - name: Pay_1\n", "spec.interfaces[0].name")]
    [InlineData("      uri: {exact: /pay}\n", "      uri: {exact: /pay, prefix: /p}\n", "spec.interfaces[0].match.uri: must satisfy exactly one oneOf")]
    [InlineData("      uri: {exact: /pay}\n", "      port: 8080\n", "spec.interfaces[0].match: unknown field 'port'")]
    [InlineData("      consecutive5xxErrors: 3\n", "      consecutive5xxErrors: -1\n", "spec.interfaces[0].outlierDetection.consecutive5xxErrors")]
    [InlineData("threshold: 50", "threshold: 150", "spec.interfaces[0].outlierDetection.failurePercentage.threshold")]
    [InlineData("    outlierDetection:\n", "    outlierDetectoin:\n", "unknown field 'outlierDetectoin'")]
    public void Bad_values_are_refused(string valid, string broken, string expected)
    {
        Valid.Should().Contain(valid);

        var errors = SchemaValidator.Validate(LoadYaml(Valid.Replace(valid, broken)), Schema);

        errors.Should().Contain(e => e.Contains(expected, StringComparison.Ordinal), string.Join(" | ", errors));
    }

    [Fact]
    public void An_object_without_interfaces_is_refused()
    {
        var errors = SchemaValidator.Validate(LoadYaml("spec:\n  host: payments\n  interfaces: []\n"), Schema);

        errors.Should().ContainSingle().Which.Should().Contain("spec.interfaces");
    }

    private static List<string> Undescribed(V1JSONSchemaProps node, string path)
    {
        var missing = new List<string>();
        foreach (var (name, child) in node.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            if (string.IsNullOrWhiteSpace(child.Description))
            {
                missing.Add($"{path}.{name}");
            }

            missing.AddRange(Undescribed(child, $"{path}.{name}"));
        }

        if (SchemaNode.Items(node) is { } items)
        {
            missing.AddRange(Undescribed(items, $"{path}[]"));
        }

        if (SchemaNode.AdditionalProperties(node) is { } additional)
        {
            missing.AddRange(Undescribed(additional, $"{path}{{*}}"));
        }

        return missing;
    }

    private static YamlMappingNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>apiVersion, kind and metadata are the API server's to check, not the schema's.</summary>
    private static YamlMappingNode Strip(YamlMappingNode node)
    {
        var copy = new YamlMappingNode();
        foreach (var (key, value) in node.Children)
        {
            if (((YamlScalarNode)key).Value is "spec" or "status")
            {
                copy.Add(key, value);
            }
        }

        return copy;
    }
}
