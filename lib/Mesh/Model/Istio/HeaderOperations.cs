namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Headers to set (overwrite), add (append) and remove.</summary>
public sealed record HeaderOperations(
    ValueMap<string> Set,
    ValueMap<string> Add,
    ValueList<string> Remove);
