using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>A translated object, or the reason it is invalid (naming the object).</summary>
/// <param name="Warnings">
/// What was accepted but ignored (e.g. fields unknown to the schema), each naming the object and
/// field; bounded in number and length like errors. Sources log them; the default is none.
/// </param>
public readonly record struct TranslationResult(MeshObject? Object, string? Error, ImmutableArray<string> Warnings = default)
{
    public static TranslationResult Ok(MeshObject obj) => new(obj, null);

    public static TranslationResult Invalid(string error) => new(null, error);

    /// <summary><see cref="Warnings"/>, never the default array.</summary>
    public ImmutableArray<string> WarningsOrEmpty => Warnings.IsDefault ? ImmutableArray<string>.Empty : Warnings;
}
