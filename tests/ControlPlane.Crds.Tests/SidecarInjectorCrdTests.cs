using ControlPlane.Crds.Tests.Infrastructure;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests;

/// <summary>The control plane's own CRD, SidecarInjector: structural, documented, with a typed status.</summary>
public class SidecarInjectorCrdTests
{
    private static readonly V1CustomResourceDefinition Crd =
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoPaths.Crds, "mesh.controlplane.io_sidecarinjectors.yaml")));

    private static V1JSONSchemaProps Schema => Crd.Spec.Versions.Single().Schema.OpenAPIV3Schema;

    [Fact]
    public void Is_a_cluster_scoped_v1alpha1_kind_with_a_status_subresource()
    {
        Crd.Metadata.Name.Should().Be("sidecarinjectors.mesh.controlplane.io");
        Crd.Spec.Scope.Should().Be("Cluster");
        Crd.Spec.Names.Kind.Should().Be("SidecarInjector");
        var version = Crd.Spec.Versions.Should().ContainSingle().Subject;
        (version.Name, version.Served, version.Storage).Should().Be(("v1alpha1", true, true));
        version.Subresources.Status.Should().NotBeNull();
    }

    [Fact]
    public void Schema_is_structural_and_status_is_typed()
    {
        StructuralSchemaChecker.Violations(Schema).Should().BeEmpty();
        Schema.Properties["status"].XKubernetesPreserveUnknownFields.Should().NotBe(true, "the operator writes a documented status");
        Schema.Properties["status"].Properties.Keys.Should().BeEquivalentTo("observedGeneration", "conditions");
    }

    [Fact]
    public void The_example_validates_and_bad_values_do_not()
    {
        var example = LoadYaml(File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "controlplane", "sidecarinjector.yaml")));
        SchemaValidator.Validate(Strip(example), Schema).Should().BeEmpty();

        var bad = LoadYaml("apiVersion: mesh.controlplane.io/v1alpha1\nkind: SidecarInjector\nmetadata: {name: default}\nspec:\n  proxyFlavor: Nginx\n  concurrency: -1\n");
        SchemaValidator.Validate(Strip(bad), Schema).Should().HaveCount(2);
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
