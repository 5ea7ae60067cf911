namespace ControlPlane.Mesh.Model;

/// <summary>Kind and key of an Istio object, e.g. (VirtualService, bookinfo/reviews): what a <see cref="MeshChange"/> names.</summary>
/// <param name="Kind">One of the <c>KindName</c>s of the Mesh* Istio records, e.g. <see cref="MeshVirtualService.KindName"/>.</param>
public readonly record struct ConfigKey(string Kind, ObjectKey Key)
{
    public override string ToString() => $"{Kind} {Key}";
}
