namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>StringMatch</c> oneof: at most one of exact, prefix or regex (RE2 syntax), as <see cref="Kind"/> and <see cref="Value"/>.</summary>
/// <param name="Value">The string to compare with, or the RE2 pattern for <see cref="StringMatchKind.Regex"/>.</param>
public sealed record StringMatch(
    StringMatchKind Kind,
    string Value)
{
    public static StringMatch Exact(string value) => new(StringMatchKind.Exact, value);

    public static StringMatch Prefix(string value) => new(StringMatchKind.Prefix, value);

    public static StringMatch Regex(string pattern) => new(StringMatchKind.Regex, pattern);
}
