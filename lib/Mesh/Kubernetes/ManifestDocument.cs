using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>One YAML document of a manifest: the object it holds, or why it could not be read.</summary>
/// <param name="Index">0-based position of the document in its file.</param>
/// <param name="Line">1-based line the document starts on, for error messages.</param>
public sealed record ManifestDocument(int Index, int Line, IKubernetesObject? Object, string? Error)
{
    public string Describe()
    {
        if (Object is IKubernetesObject<V1ObjectMeta> withMetadata)
        {
            var ns = string.IsNullOrEmpty(withMetadata.Metadata?.NamespaceProperty) ? "default" : withMetadata.Metadata.NamespaceProperty;
            return $"{Object.Kind} {ns}/{withMetadata.Metadata?.Name}";
        }

        return $"document {Index + 1} (line {Line})";
    }
}
