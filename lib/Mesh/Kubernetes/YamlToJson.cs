using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// Converts one YAML document to JSON the way kubectl does (sigs.k8s.io/yaml, YAML 1.1 scalars):
/// unquoted scalars become null, booleans (true/false/yes/no/on/off/y/n in any of their cases) and
/// numbers when they read as such; quoted ones stay strings. For kinds whose spec is read as JSON
/// (the Istio networking kinds), so that their types survive a file as they survive kubectl.
/// </summary>
public static partial class YamlToJson
{
    private static readonly HashSet<string> True = new(StringComparer.Ordinal) { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" };
    private static readonly HashSet<string> False = new(StringComparer.Ordinal) { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" };
    private static readonly HashSet<string> Null = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    /// <summary>The JSON of the first document of <paramref name="yaml"/>; throws YamlException when it is not YAML.</summary>
    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode, 0);
    }

    private static JsonNode? ToJson(YamlNode node, int depth)
    {
        if (depth > 100)
        {
            throw new YamlException(node.Start, node.End, "nested more than 100 levels");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty : throw new YamlException(key.Start, key.End, "mapping keys must be scalars");
                    obj[name] = ToJson(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "aliases are not supported");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (Null.Contains(text))
        {
            return null;
        }

        if (True.Contains(text) || False.Contains(text))
        {
            return JsonValue.Create(True.Contains(text));
        }

        if (Integer().IsMatch(text) && long.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Float().IsMatch(text) && double.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*\z")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?\z|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+\z")]
    private static partial Regex Float();
}
