namespace ControlPlane.Mesh.Model;

/// <summary>
/// A networking.istio.io object of the model (or one of the control plane's own traffic kinds, e.g.
/// <see cref="MeshInterfaceOutlierDetection"/>): its key, creation time and typed, validated spec
/// (see <see cref="Istio"/>). Equal when key, creation time and spec are equal, so re-reading an
/// unchanged object is no change.
/// </summary>
/// <param name="CreationTimestamp">
/// metadata.creationTimestamp (UTC), null when the source has none (e.g. a file that does not set
/// it). istiod orders objects by it, then by name.namespace: see <see cref="MeshIstioObjectOrder"/>.
/// </param>
public abstract record MeshIstioObject(ObjectKey Key, DateTime? CreationTimestamp) : MeshObject(Key);
