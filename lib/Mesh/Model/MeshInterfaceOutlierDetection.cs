using ControlPlane.Mesh.Model.Ejection;

namespace ControlPlane.Mesh.Model;

/// <summary>
/// A mesh.controlplane.io/v1alpha1 InterfaceOutlierDetection with its typed spec: the control
/// plane's own kind, kept beside the Istio networking kinds (ordered, keyed and changed like them).
/// </summary>
public sealed record MeshInterfaceOutlierDetection(ObjectKey Key, DateTime? CreationTimestamp, InterfaceOutlierDetection Spec) : MeshIstioObject(Key, CreationTimestamp)
{
    public const string KindName = "InterfaceOutlierDetection";

    public override string Kind => KindName;
}
