using k8s;
using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Reads the YAML files of the chart's crds/ folder, each of which may hold only CustomResourceDefinitions.</summary>
public static class CrdFiles
{
    public static IReadOnlyList<string> InChart() =>
        Directory.Exists(RepoPaths.ChartCrds)
            ? Directory.EnumerateFiles(RepoPaths.ChartCrds)
                .Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>The CRDs in <paramref name="yaml"/>; throws if a document is anything else or does not fit the model.</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> Parse(string yaml)
    {
        var expected = KubernetesKinds.Of(typeof(V1CustomResourceDefinition));
        var crds = new List<V1CustomResourceDefinition>();
        foreach (var document in ManifestSplitter.Split(yaml))
        {
            if ((document.ApiVersion, document.Kind) != expected)
            {
                throw new FormatException(
                    $"{document} is not a {expected.Kind} of {expected.ApiVersion}: only CRDs belong in crds/.");
            }

            var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(document.Yaml, strict: true);
            if (string.IsNullOrEmpty(crd.Metadata?.Name) || crd.Spec?.Names?.Kind is null || crd.Spec.Versions is not { Count: > 0 })
            {
                throw new FormatException($"{document} lacks a name, spec.names.kind or spec.versions.");
            }

            crds.Add(crd);
        }

        return crds;
    }
}
