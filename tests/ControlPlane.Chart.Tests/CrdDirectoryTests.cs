using ControlPlane.Chart.Tests.Infrastructure;

namespace ControlPlane.Chart.Tests;

/// <summary>The chart's crds/ folder: whatever YAML is put there must be CustomResourceDefinitions.</summary>
public sealed class CrdDirectoryTests
{
    [Fact]
    public void The_crds_folder_exists() =>
        Directory.Exists(RepoPaths.ChartCrds).Should().BeTrue("Helm installs CRDs from charts/controlplane/crds/");

    [Fact]
    public void Every_yaml_file_in_crds_holds_only_custom_resource_definitions()
    {
        foreach (var file in CrdFiles.InChart())
        {
            var parse = () => CrdFiles.Parse(File.ReadAllText(file));

            parse.Should().NotThrow($"{file} should hold only CustomResourceDefinitions")
                .Which.Should().NotBeEmpty($"{file} should hold at least one CRD");
        }
    }

    [Fact]
    public void The_check_accepts_a_custom_resource_definition()
    {
        var crds = CrdFiles.Parse("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: sidecarinjectors.mesh.controlplane.io
            spec:
              group: mesh.controlplane.io
              scope: Cluster
              names:
                kind: SidecarInjector
                plural: sidecarinjectors
              versions:
                - name: v1alpha1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema:
                      type: object
                      x-kubernetes-preserve-unknown-fields: true
            """);

        crds.Should().ContainSingle().Which.Spec.Names.Kind.Should().Be("SidecarInjector");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-a-crd\n", "not a CustomResourceDefinition")]
    [InlineData("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x.example.com\nspec:\n  group: example.com\n  nmes: {}\n", "nmes")]
    [InlineData("apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata:\n  name: x.example.com\n", "not a CustomResourceDefinition")]
    public void The_check_rejects(string yaml, string messageFragment)
    {
        var parse = () => CrdFiles.Parse(yaml);

        parse.Should().Throw<Exception>().Where(e => e.Message.Contains(messageFragment));
    }
}
