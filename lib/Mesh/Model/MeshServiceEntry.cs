using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io ServiceEntry with its typed spec.</summary>
public sealed record MeshServiceEntry(ObjectKey Key, DateTime? CreationTimestamp, ServiceEntry Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "ServiceEntry";

    public override string Kind => KindName;
}
