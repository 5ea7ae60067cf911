using System.Globalization;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Checks a YAML value against a CRD schema: types, enums, required fields, integer bounds, string length and
/// pattern, list length, unknown fields and required-only oneOf/anyOf/allOf/not branches. A small subset of what the API server does, enough to catch a
/// misspelt field, a wrong enum value or a wrong type in an example. Returns one message per problem.
/// </summary>
public static class SchemaValidator
{
    public static IReadOnlyList<string> Validate(YamlNode value, V1JSONSchemaProps schema)
    {
        var errors = new List<string>();
        Check(value, schema, "<root>", errors);
        return errors;
    }

    private static void Check(YamlNode value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (value is YamlScalarNode nullable && YamlScalars.Classify(nullable) == ScalarKind.Null)
        {
            if (schema.Nullable != true && !SchemaNode.PreservesUnknownFields(schema))
            {
                errors.Add($"{path}: null is not allowed");
            }

            return;
        }

        if (SchemaNode.IsIntOrString(schema))
        {
            if (value is not YamlScalarNode scalar || YamlScalars.Classify(scalar) is not (ScalarKind.Integer or ScalarKind.String))
            {
                errors.Add($"{path}: expected an integer or a string");
            }
        }
        else if (schema.Type is not null && !CheckTyped(value, schema, path, errors))
        {
            // Wrong shape: required fields and oneOf branches would only repeat the same complaint.
            return;
        }

        if (value is YamlMappingNode mapping)
        {
            foreach (var field in schema.Required ?? [])
            {
                if (!mapping.Children.ContainsKey(new YamlScalarNode(field)))
                {
                    errors.Add($"{path}: required field '{field}' is missing");
                }
            }
        }

        CheckJunctors(value, schema, path, errors);
    }

    /// <summary>Checks the value against the node's type and what hangs below it; false when the shape is wrong.</summary>
    private static bool CheckTyped(YamlNode value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        switch (schema.Type, value)
        {
            case ("object", YamlMappingNode mapping):
                CheckFields(mapping, schema, path, errors);
                break;
            case ("array", YamlSequenceNode sequence):
                if ((schema.MinItems is { } minItems && sequence.Children.Count < minItems) || (schema.MaxItems is { } maxItems && sequence.Children.Count > maxItems))
                {
                    errors.Add($"{path}: {sequence.Children.Count} items, outside [{schema.MinItems}, {schema.MaxItems}]");
                }

                var items = SchemaNode.Items(schema);
                for (var i = 0; items is not null && i < sequence.Children.Count; i++)
                {
                    Check(sequence.Children[i], items, $"{path}[{i}]", errors);
                }

                break;
            case ("string" or "integer" or "number" or "boolean", YamlScalarNode scalar):
                CheckScalar(scalar, schema, path, errors);
                break;
            default:
                errors.Add($"{path}: expected {schema.Type}, found a {Describe(value)}");
                return false;
        }

        return true;
    }

    private static void CheckFields(YamlMappingNode mapping, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        var additional = SchemaNode.AdditionalProperties(schema);
        foreach (var (keyNode, child) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (schema.Properties?.TryGetValue(key, out var property) == true)
            {
                Check(child, property, $"{path}.{key}", errors);
            }
            else if (additional is not null)
            {
                Check(child, additional, $"{path}{{{key}}}", errors);
            }
            else if (!SchemaNode.AdmitsAnyProperty(schema) && !SchemaNode.PreservesUnknownFields(schema))
            {
                errors.Add($"{path}: unknown field '{key}'");
            }
        }
    }

    private static void CheckScalar(YamlScalarNode scalar, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        var kind = YamlScalars.Classify(scalar);
        var matches = schema.Type switch
        {
            "string" => kind == ScalarKind.String,
            "integer" => kind == ScalarKind.Integer,
            "number" => kind is ScalarKind.Integer or ScalarKind.Number,
            _ => kind == ScalarKind.Boolean,
        };
        if (!matches)
        {
            errors.Add($"{path}: expected {schema.Type}, found {kind.ToString().ToLowerInvariant()} '{scalar.Value}'");
            return;
        }

        var text = scalar.Value ?? string.Empty;
        if (schema.EnumProperty is { Count: > 0 } allowed
            && !allowed.Any(option => string.Equals(Convert.ToString(option, CultureInfo.InvariantCulture), text, StringComparison.Ordinal)))
        {
            errors.Add($"{path}: '{text}' is not one of {string.Join(", ", allowed)}");
        }

        if (kind == ScalarKind.String && ((schema.MinLength is { } minLength && text.Length < minLength) || (schema.MaxLength is { } maxLength && text.Length > maxLength)))
        {
            errors.Add($"{path}: {text.Length} characters, outside [{schema.MinLength}, {schema.MaxLength}]");
        }

        if (kind == ScalarKind.String && schema.Pattern is { } pattern && !System.Text.RegularExpressions.Regex.IsMatch(text, pattern))
        {
            errors.Add($"{path}: '{text}' does not match {pattern}");
        }

        if (kind == ScalarKind.Integer && decimal.TryParse(text, CultureInfo.InvariantCulture, out var number)
            && ((schema.Minimum is { } min && number < (decimal)min) || (schema.Maximum is { } max && number > (decimal)max)))
        {
            errors.Add($"{path}: {text} is outside [{schema.Minimum}, {schema.Maximum}]");
        }
    }

    /// <summary>Branches only carry required lists (see StructuralSchemaChecker), so matching is about which fields are set.</summary>
    private static void CheckJunctors(YamlNode value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        bool Passes(V1JSONSchemaProps branch) => Validate(value, branch).Count == 0;

        if (schema.AllOf?.Any(branch => !Passes(branch)) == true)
        {
            errors.Add($"{path}: does not satisfy allOf");
        }

        if (schema.AnyOf is { Count: > 0 } anyOf && !anyOf.Any(Passes))
        {
            errors.Add($"{path}: satisfies none of anyOf");
        }

        if (schema.OneOf is { Count: > 0 } oneOf && oneOf.Count(Passes) != 1)
        {
            errors.Add($"{path}: must satisfy exactly one oneOf branch (are mutually exclusive fields set together?)");
        }

        if (schema.Not is not null && Passes(schema.Not))
        {
            errors.Add($"{path}: matches a schema it must not match");
        }
    }

    private static string Describe(YamlNode value) => value switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        YamlScalarNode scalar => YamlScalars.Classify(scalar).ToString().ToLowerInvariant(),
        _ => value.NodeType.ToString(),
    };
}
