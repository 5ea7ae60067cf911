namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Which member of Istio's <c>StringMatch</c> oneof is set.</summary>
public enum StringMatchKind
{
    /// <summary>Field <c>exact</c>.</summary>
    Exact,

    /// <summary>Field <c>prefix</c>.</summary>
    Prefix,

    /// <summary>Field <c>regex</c>: an RE2 pattern matched against the whole value.</summary>
    Regex,

    /// <summary>None of the three is set (written <c>{}</c>): Istio ignores such a uri, scheme, method or authority match, and a header match becomes a presence match.</summary>
    Unset,
}
