using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io VirtualService with its typed spec.</summary>
public sealed record MeshVirtualService(ObjectKey Key, DateTime? CreationTimestamp, VirtualService Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "VirtualService";

    public override string Kind => KindName;
}
