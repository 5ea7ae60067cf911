using k8s.Models;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Resolves a printer column's simple JSONPath (.a.b.c) against a schema. The API server accepts a path to a
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
        foreach (var segment in jsonPath[1..].Split('.'))
        {
            if (node.Properties is null || !node.Properties.TryGetValue(segment, out var next))
            {
                return false;
            }

            node = next;
        }

        return true;
    }
}
