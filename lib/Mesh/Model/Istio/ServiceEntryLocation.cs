namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>ServiceEntry.Location</c>.</summary>
public enum ServiceEntryLocation
{
    /// <summary>MESH_EXTERNAL (the default).</summary>
    MeshExternal,

    /// <summary>MESH_INTERNAL.</summary>
    MeshInternal,
}
