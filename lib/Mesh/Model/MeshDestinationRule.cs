using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io DestinationRule with its typed spec.</summary>
public sealed record MeshDestinationRule(ObjectKey Key, DateTime? CreationTimestamp, DestinationRule Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "DestinationRule";

    public override string Kind => KindName;
}
