using k8s.Models;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Resolves a printer column's JSONPath against a schema: fields (.a.b.c), and on lists every item (.a[*].b) or a
/// filter (.a[?(@.type=="Ready")].b), which step into the items' schema. The API server accepts a path to a
/// field that does not exist, and the column is then silently empty, so the tests check it here.
/// </summary>
public static class PrinterColumnPaths
{
    /// <summary>Set by the API server on every object, outside the CRD's schema.</summary>
    public const string CreationTimestamp = ".metadata.creationTimestamp";

    public static bool Resolves(V1JSONSchemaProps root, string jsonPath)
    {
        if (jsonPath == CreationTimestamp)
        {
            return true;
        }

        if (!jsonPath.StartsWith('.'))
        {
            return false;
        }

        var node = root;
        foreach (var part in System.Text.RegularExpressions.Regex.Split(jsonPath[1..], @"\.(?![^\[]*\])"))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var segment = bracket < 0 ? part : part[..bracket];
            if (node.Properties is null || !node.Properties.TryGetValue(segment, out var next))
            {
                return false;
            }

            node = next;
            if (bracket >= 0)
            {
                if (node.Type != "array" || SchemaNode.Items(node) is not { } items || !part.EndsWith(']'))
                {
                    return false;
                }

                node = items;
            }
        }

        return true;
    }
}
