using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Reads one small YAML document (a superset of JSON) into JSON nodes, resolving plain scalars as the
/// YAML 1.1 reader Istio uses does (yes/on/true are booleans, digits are numbers). Anchors and aliases
/// are refused and nesting and size are capped, so hostile input cannot make it use much memory.
/// </summary>
public static partial class YamlJson
{
    private const int MaxDepth = 32;
    private const int MaxNodes = 10_000;

    private static readonly HashSet<string> Nulls = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };
    private static readonly HashSet<string> Trues = new(StringComparer.Ordinal) { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE" };
    private static readonly HashSet<string> Falses = new(StringComparer.Ordinal) { "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE" };

    /// <summary>The document's value; null for an empty document.</summary>
    /// <exception cref="FormatException">Not YAML, more than one document, an anchor or alias, a non-scalar or duplicate key, or too deep or large.</exception>
    public static JsonNode? Parse(string text)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var nodes = 0;
            var value = Read(parser, 0, ref nodes);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                throw new FormatException("more than one YAML document");
            }

            return value;
        }
        catch (YamlException e)
        {
            throw new FormatException($"not valid YAML: {e.Message}", e);
        }
    }

    private static JsonNode? Read(IParser parser, int depth, ref int nodes)
    {
        if (depth > MaxDepth || ++nodes > MaxNodes)
        {
            throw new FormatException($"nested deeper than {MaxDepth} or more than {MaxNodes} values");
        }

        if (parser.TryConsume<AnchorAlias>(out _))
        {
            throw new FormatException("YAML anchors and aliases are not supported");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            NoAnchor(scalar.Anchor);
            return scalar.Style == ScalarStyle.Plain ? Plain(scalar.Value) : JsonValue.Create(scalar.Value);
        }

        if (parser.TryConsume<SequenceStart>(out var sequence))
        {
            NoAnchor(sequence.Anchor);
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(Read(parser, depth + 1, ref nodes));
            }

            return array;
        }

        var mapping = parser.Consume<MappingStart>();
        NoAnchor(mapping.Anchor);
        var obj = new JsonObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            if (!parser.TryConsume<Scalar>(out var key))
            {
                throw new FormatException("a mapping key must be a plain string");
            }

            if (obj.ContainsKey(key.Value))
            {
                throw new FormatException($"duplicate key '{AnnotationValues.Shown(key.Value)}'");
            }

            obj[key.Value] = Read(parser, depth + 1, ref nodes);
        }

        return obj;
    }

    private static void NoAnchor(AnchorName anchor)
    {
        if (!anchor.IsEmpty)
        {
            throw new FormatException("YAML anchors and aliases are not supported");
        }
    }

    private static JsonNode? Plain(string value)
    {
        if (Nulls.Contains(value))
        {
            return null;
        }

        if (Trues.Contains(value) || Falses.Contains(value))
        {
            return JsonValue.Create(Trues.Contains(value));
        }

        if (Integer().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
