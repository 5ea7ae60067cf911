namespace ControlPlane.Mesh.Model;

/// <summary>A translated, validated object the mesh model is made of.</summary>
public abstract record MeshObject(ObjectKey Key)
{
    /// <summary>The Kubernetes kind this object was translated from, e.g. "Service".</summary>
    public abstract string Kind { get; }
}
