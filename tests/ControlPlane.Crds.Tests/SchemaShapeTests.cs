using ControlPlane.Crds.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Crds.Tests;

/// <summary>Every schema must be structural (or the API server rejects the CRD) and explainable field by field.</summary>
public class SchemaShapeTests
{
    [Theory]
    [MemberData(nameof(CrdCatalog.FilesAndVersions), MemberType = typeof(CrdCatalog))]
    public void Schema_is_structural(string file, string version)
    {
        StructuralSchemaChecker.Violations(CrdCatalog.Schema(file, version)).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.FilesAndVersions), MemberType = typeof(CrdCatalog))]
    public void Spec_is_closed_and_status_is_open(string file, string version)
    {
        var properties = CrdCatalog.Schema(file, version).Properties;

        properties.Keys.Should().BeEquivalentTo("spec", "status");
        var spec = properties["spec"];
        spec.Type.Should().Be("object");
        spec.XKubernetesPreserveUnknownFields.Should().NotBe(true, "unknown spec fields must be pruned, not kept");
        spec.Properties.Should().NotBeEmpty();
        properties["status"].Type.Should().Be("object");
        properties["status"].XKubernetesPreserveUnknownFields.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.FilesAndVersions), MemberType = typeof(CrdCatalog))]
    public void Every_field_has_a_description(string file, string version)
    {
        // kubectl explain prints these; a field without one is undocumented for users.
        var missing = new List<string>();
        CollectUndescribed(CrdCatalog.Schema(file, version), "<root>", missing);

        missing.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.FilesAndVersions), MemberType = typeof(CrdCatalog))]
    public void Printer_columns_point_at_schema_fields(string file, string version)
    {
        var crdVersion = CrdCatalog.Load(file).Spec.Versions.Single(v => v.Name == version);
        var schema = crdVersion.Schema.OpenAPIV3Schema;

        crdVersion.AdditionalPrinterColumns.Should().AllSatisfy(column =>
            PrinterColumnPaths.Resolves(schema, column.JsonPath).Should().BeTrue($"column {column.Name} reads {column.JsonPath}"));
    }

    [Fact]
    public void Printer_column_check_rejects_a_missing_field()
    {
        var schema = CrdCatalog.Schema("networking.istio.io_virtualservices.yaml", "v1alpha3");

        PrinterColumnPaths.Resolves(schema, ".spec.hosts").Should().BeTrue();
        PrinterColumnPaths.Resolves(schema, ".spec.host").Should().BeFalse();
        PrinterColumnPaths.Resolves(schema, "spec.hosts").Should().BeFalse();
    }

    [Fact]
    public void Structural_check_reports_violations()
    {
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Properties = new Dictionary<string, V1JSONSchemaProps>
            {
                ["untyped"] = new() { Description = "no type" },
                ["bare"] = new() { Type = "object" },
                ["list"] = new() { Type = "array" },
                ["choice"] = new()
                {
                    Type = "object",
                    Properties = new Dictionary<string, V1JSONSchemaProps> { ["a"] = new() { Type = "string" } },
                    OneOf = [new() { Type = "string" }, new() { Required = ["b"] }],
                },
            },
        };

        StructuralSchemaChecker.Violations(schema).Should().BeEquivalentTo(
            "<root>.untyped: no type",
            "<root>.bare: object without properties or additionalProperties",
            "<root>.list: array without items",
            "<root>.choice (junctor): branch sets type, shape, description, default or nullable",
            "<root>.choice (junctor): requires undeclared field 'b'");
    }

    private static void CollectUndescribed(V1JSONSchemaProps node, string path, List<string> missing)
    {
        foreach (var (name, child) in node.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            var childPath = $"{path}.{name}";
            if (string.IsNullOrWhiteSpace(child.Description))
            {
                missing.Add(childPath);
            }

            CollectUndescribed(child, childPath, missing);
        }

        if (SchemaNode.Items(node) is { } items)
        {
            CollectUndescribed(items, $"{path}[]", missing);
        }

        if (SchemaNode.AdditionalProperties(node) is { } additional)
        {
            CollectUndescribed(additional, $"{path}{{*}}", missing);
        }
    }
}
