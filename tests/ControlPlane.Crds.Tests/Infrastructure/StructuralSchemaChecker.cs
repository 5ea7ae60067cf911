using k8s.Models;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// The API server's "structural schema" rules that matter for these CRDs: it refuses a v1 CRD that breaks them,
/// and kubectl explain and pruning rely on them. Returns one message per violation, with the path of the node.
/// </summary>
public static class StructuralSchemaChecker
{
    private static readonly string[] Types = ["object", "array", "string", "integer", "number", "boolean"];

    public static IReadOnlyList<string> Violations(V1JSONSchemaProps root)
    {
        var violations = new List<string>();
        CheckNode(root, "<root>", violations);
        return violations;
    }

    private static void CheckNode(V1JSONSchemaProps node, string path, List<string> violations)
    {
        var typeExempt = SchemaNode.IsIntOrString(node) || SchemaNode.PreservesUnknownFields(node);
        if (node.Type is null && !typeExempt)
        {
            violations.Add($"{path}: no type");
        }
        else if (node.Type is not null && !Types.Contains(node.Type))
        {
            violations.Add($"{path}: unknown type '{node.Type}'");
        }

        var properties = node.Properties ?? new Dictionary<string, V1JSONSchemaProps>();
        var additional = SchemaNode.AdditionalProperties(node);
        if (node.Type == "object" && properties.Count == 0 && additional is null
            && !SchemaNode.AdmitsAnyProperty(node) && !SchemaNode.PreservesUnknownFields(node))
        {
            violations.Add($"{path}: object without properties or additionalProperties");
        }

        if (properties.Count > 0 && additional is not null)
        {
            violations.Add($"{path}: both properties and additionalProperties");
        }

        var items = SchemaNode.Items(node);
        if (node.Type == "array" && items is null)
        {
            violations.Add($"{path}: array without items");
        }

        foreach (var branch in SchemaNode.Junctors(node))
        {
            CheckJunctorBranch(branch, properties, path, violations);
        }

        foreach (var (name, child) in properties)
        {
            CheckNode(child, $"{path}.{name}", violations);
        }

        if (items is not null)
        {
            CheckNode(items, $"{path}[]", violations);
        }

        if (additional is not null)
        {
            CheckNode(additional, $"{path}{{*}}", violations);
        }
    }

    /// <summary>
    /// Branches of allOf/anyOf/oneOf/not may only restrict: no type, shape or description, and every field they
    /// name must be declared on the enclosing node, or pruning and explain would not know it.
    /// </summary>
    private static void CheckJunctorBranch(
        V1JSONSchemaProps branch, IDictionary<string, V1JSONSchemaProps> declared, string path, List<string> violations)
    {
        var where = $"{path} (junctor)";
        if (branch.Type is not null || branch.Properties is not null || branch.Items is not null
            || branch.AdditionalProperties is not null || branch.Description is not null
            || branch.DefaultProperty is not null || branch.Nullable is not null)
        {
            violations.Add($"{where}: branch sets type, shape, description, default or nullable");
        }

        foreach (var field in branch.Required ?? [])
        {
            if (!declared.ContainsKey(field))
            {
                violations.Add($"{where}: requires undeclared field '{field}'");
            }
        }

        foreach (var nested in SchemaNode.Junctors(branch))
        {
            CheckJunctorBranch(nested, declared, path, violations);
        }
    }
}
