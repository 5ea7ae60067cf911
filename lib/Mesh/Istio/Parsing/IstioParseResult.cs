using System.Collections.Immutable;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// The typed spec of one Istio object, or why it is invalid. Each error and warning starts with the
/// field path it is about (e.g. <c>spec.http[0].route[1].weight: ...</c>); there are at most
/// <see cref="SpecReader.MaxMessages"/> of each, each at most <see cref="SpecReader.MaxMessageLength"/> characters.
/// </summary>
/// <param name="Spec">Null exactly when <paramref name="Errors"/> is not empty.</param>
/// <param name="Warnings">What was accepted but ignored, e.g. fields the CRD schema does not know.</param>
public sealed record IstioParseResult<T>(T? Spec, ImmutableArray<string> Errors, ImmutableArray<string> Warnings)
    where T : class
{
    public bool IsValid => Spec is not null;
}
