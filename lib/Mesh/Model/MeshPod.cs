namespace ControlPlane.Mesh.Model;

/// <summary>
/// A Pod, reduced to what config needs: its labels select it into DestinationRule subsets (and
/// Sidecar, ServiceEntry workload selectors), through the EndpointSlice endpoints that name it.
/// </summary>
/// <param name="Ips">status.podIPs (or status.podIP), in order; empty until the pod has one.</param>
public sealed record MeshPod(ObjectKey Key, ValueMap<string> Labels, ValueList<string> Ips) : MeshObject(Key)
{
    public const string KindName = "Pod";

    public override string Kind => KindName;
}
