namespace ControlPlane.Mesh.Kubernetes.Informers;

public enum InformerEventType
{
    /// <summary>The object is new or changed (or is re-announced by a resync).</summary>
    Upserted,

    /// <summary>The object is gone.</summary>
    Deleted,
}
