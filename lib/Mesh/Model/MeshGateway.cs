using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model;

/// <summary>A networking.istio.io Gateway with its typed spec.</summary>
public sealed record MeshGateway(ObjectKey Key, DateTime? CreationTimestamp, Gateway Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "Gateway";

    public override string Kind => KindName;
}
