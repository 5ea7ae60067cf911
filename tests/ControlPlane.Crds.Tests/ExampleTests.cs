using ControlPlane.Crds.Tests.Infrastructure;

namespace ControlPlane.Crds.Tests;

/// <summary>The examples must be accepted by the CRDs, so they stay usable as fixtures and documentation.</summary>
public class ExampleTests
{
    private const string StoredVersion = "v1alpha3";

    [Fact]
    public void Every_kind_has_an_example()
    {
        var kinds = CrdCatalog.FileNames().Select(file => CrdCatalog.Load(file).Spec.Names.Kind);

        IstioExamples.All().Select(example => example.Kind).Distinct().Should().BeEquivalentTo(kinds);
    }

    [Theory]
    [MemberData(nameof(IstioExamples.Files), MemberType = typeof(IstioExamples))]
    public void Example_is_a_bookinfo_resource_of_a_known_kind(string file)
    {
        IstioExamples.Load(file).Should().NotBeEmpty().And.AllSatisfy(example =>
        {
            example.ApiVersion.Should().Be($"{CrdCatalog.Group}/{StoredVersion}");
            example.Namespace.Should().Be("bookinfo");
            var act = () => CrdCatalog.ForKind(example.Kind);
            act.Should().NotThrow($"{example.Kind} needs exactly one CRD");
        });
    }

    [Theory]
    [MemberData(nameof(IstioExamples.Files), MemberType = typeof(IstioExamples))]
    public void Example_validates_against_its_crd(string file)
    {
        foreach (var example in IstioExamples.Load(file))
        {
            var schema = CrdCatalog.ForKind(example.Kind).Spec.Versions.Single(v => v.Name == StoredVersion).Schema.OpenAPIV3Schema;

            SchemaValidator.Validate(example.Body(), schema).Should().BeEmpty();
        }
    }
}
