using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>Reads the example resources, every YAML document of every file under examples/istio/.</summary>
public static class IstioExamples
{
    public static IReadOnlyList<string> FileNames() =>
        Directory.GetFiles(RepoPaths.IstioExamples, "*.yaml")
            .Select(path => Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> Files() => new(FileNames());

    public static IReadOnlyList<IstioExample> Load(string fileName) =>
        Parse(fileName, File.ReadAllText(Path.Combine(RepoPaths.IstioExamples, fileName)));

    public static IReadOnlyList<IstioExample> All() => FileNames().SelectMany(Load).ToList();

    /// <summary>Parses YAML text; also used by tests that feed deliberately broken resources.</summary>
    public static IReadOnlyList<IstioExample> Parse(string fileName, string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(document => (YamlMappingNode)document.RootNode)
            .Select(root => new IstioExample(
                fileName,
                Scalar(root, "apiVersion") ?? string.Empty,
                Scalar(root, "kind") ?? string.Empty,
                root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata)
                    ? Scalar((YamlMappingNode)metadata, "namespace")
                    : null,
                root))
            .ToList();
    }

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
