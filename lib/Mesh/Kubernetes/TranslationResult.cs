using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>A translated object, or the reason it is invalid (naming the object).</summary>
public readonly record struct TranslationResult(MeshObject? Object, string? Error)
{
    public static TranslationResult Ok(MeshObject obj) => new(obj, null);

    public static TranslationResult Invalid(string error) => new(null, error);
}
