using k8s;
using k8s.Models;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>The CRD files under crds/, loaded with the Kubernetes client's own YAML reader, as a consumer of them would.</summary>
public static class CrdCatalog
{
    public const string Group = "networking.istio.io";

    /// <summary>The Istio networking CRDs; the control plane's own (mesh.controlplane.io) have tests of their own.</summary>
    public static IReadOnlyList<string> FileNames() =>
        Directory.GetFiles(RepoPaths.Crds, $"{Group}_*.yaml")
            .Select(path => Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>One row per CRD file, named by file so a failure points at it.</summary>
    public static TheoryData<string> Files() => new(FileNames());

    /// <summary>One row per CRD file and served version.</summary>
    public static TheoryData<string, string> FilesAndVersions()
    {
        var rows = new TheoryData<string, string>();
        foreach (var file in FileNames())
        {
            foreach (var version in Load(file).Spec.Versions)
            {
                rows.Add(file, version.Name);
            }
        }

        return rows;
    }

    public static V1CustomResourceDefinition Load(string fileName) =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoPaths.Crds, fileName)));

    public static V1JSONSchemaProps Schema(string fileName, string version) =>
        Load(fileName).Spec.Versions.Single(v => v.Name == version).Schema.OpenAPIV3Schema;

    public static V1CustomResourceDefinition ForKind(string kind) =>
        FileNames().Select(Load).Single(crd => crd.Spec.Names.Kind == kind);
}
