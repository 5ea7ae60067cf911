using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Resolves plain YAML scalars the way the YAML core schema does, so "9080" quoted is a string and 9080 bare
/// is an integer, as the API server sees them. Quoted and block scalars are always strings.
/// </summary>
public static partial class YamlScalars
{
    public static ScalarKind Classify(YamlScalarNode scalar)
    {
        if (scalar.Style is not ScalarStyle.Plain and not ScalarStyle.Any || (!scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return ScalarKind.String;
        }

        var text = scalar.Value ?? string.Empty;
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Boolean,
            _ when IntegerPattern().IsMatch(text) => ScalarKind.Integer,
            _ when NumberPattern().IsMatch(text) => ScalarKind.Number,
            _ => ScalarKind.String,
        };
    }

    [GeneratedRegex(@"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex NumberPattern();
}
