using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io WorkloadEntry with its typed spec.</summary>
public sealed record MeshWorkloadEntry(ObjectKey Key, DateTime? CreationTimestamp, WorkloadEntry Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "WorkloadEntry";

    public override string Kind => KindName;
}
