using System.Text.RegularExpressions;
using k8s;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Splits a multi-document YAML stream and reads each document's apiVersion, kind and name.</summary>
public static partial class ManifestSplitter
{
    [GeneratedRegex(@"^---[ \t]*(?:#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Separator();

    public static IReadOnlyList<ManifestDocument> Split(string yaml)
    {
        var documents = new List<ManifestDocument>();
        foreach (var text in Separator().Split(yaml.Replace("\r\n", "\n")))
        {
            if (IsEmpty(text))
            {
                continue;
            }

            var header = KubernetesYaml.Deserialize<ManifestHeader>(text);
            if (string.IsNullOrEmpty(header.ApiVersion) || string.IsNullOrEmpty(header.Kind))
            {
                throw new FormatException($"A document has no apiVersion or kind:\n{text}");
            }

            documents.Add(new ManifestDocument(
                header.ApiVersion, header.Kind, header.Metadata?.Name ?? "", header.Metadata?.NamespaceProperty, text));
        }

        return documents;
    }

    private static bool IsEmpty(string text) =>
        text.Split('\n').All(line => line.Trim().Length == 0 || line.TrimStart().StartsWith('#'));
}
