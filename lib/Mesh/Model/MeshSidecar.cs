using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io Sidecar with its typed spec.</summary>
public sealed record MeshSidecar(ObjectKey Key, DateTime? CreationTimestamp, Sidecar Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "Sidecar";

    public override string Kind => KindName;
}
