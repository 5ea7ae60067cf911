using ControlPlane.EnvoyApi;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using Envoy.Config.Core.V3;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Generation;

/// <summary>
/// One folder per case under golden/: input.yaml (the mesh), node.json (the proxy's Envoy node),
/// optionally options.json (GenerationOptions, e.g. {"enableEdsForHeadlessServices": true}) and
/// the expected CDS, EDS, LDS and RDS as Envoy JSON. UPDATE_GOLDEN=1 rewrites the expectations.
/// </summary>
public sealed class GoldenTests
{
    private static readonly string GoldenRoot = Path.Combine(ProjectDirectory(), "golden");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(GoldenRoot).OrderBy(d => d, StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(dir));
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_config_matches_the_golden_files(string name)
    {
        var dir = Path.Combine(GoldenRoot, name);
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(File.ReadAllText(Path.Combine(dir, "input.yaml")));
        errors.Should().BeEmpty("golden inputs are valid");
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        store.Replace("golden", objects);
        var node = NodeParser.Parse(EnvoyTypeRegistry.Parser.Parse<Node>(File.ReadAllText(Path.Combine(dir, "node.json"))));

        var config = new ConfigGenerator(Options(dir)).Generate(store.Current, ProxyViews.For(node, store.Current));

        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";
        foreach (var (file, set) in new[] { ("cds.json", config.Clusters), ("eds.json", config.Endpoints), ("lds.json", config.Listeners), ("rds.json", config.Routes) })
        {
            var actual = Render(set);
            var path = Path.Combine(dir, file);
            if (update)
            {
                File.WriteAllText(path, actual);
                continue;
            }

            File.Exists(path).Should().BeTrue($"{name}/{file} must exist (run with UPDATE_GOLDEN=1 to create it)");
            actual.Should().Be(File.ReadAllText(path), $"{name}/{file} is the expected output");
        }
    }

    /// <summary>The case's options.json (GenerationOptions, camelCase), if it has one.</summary>
    private static GenerationOptions Options(string dir)
    {
        var path = Path.Combine(dir, "options.json");
        return File.Exists(path)
            ? System.Text.Json.JsonSerializer.Deserialize<GenerationOptions>(File.ReadAllText(path), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })!
            : new GenerationOptions();
    }

    private static string Render(ResourceSet set) =>
        "[\n" + string.Join(",\n", set.Resources.Values.Select(r => EnvoyTypeRegistry.IndentedFormatter.Format(r.Body))) + "\n]\n";

    private static string ProjectDirectory() => Path.Combine(ControlPlane.Tests.Shared.RepositoryRoot.Path, "tests", "ControlPlane.XdsServer.Tests");
}
