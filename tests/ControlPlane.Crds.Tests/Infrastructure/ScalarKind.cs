namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>The JSON type a YAML scalar becomes when the API server converts a manifest to JSON.</summary>
public enum ScalarKind
{
    Null,
    Boolean,
    Integer,
    Number,
    String,
}
