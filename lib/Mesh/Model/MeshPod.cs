namespace ControlPlane.Mesh.Model;

/// <summary>
/// A Pod, reduced to what config needs: its labels select it into DestinationRule subsets (through
/// the EndpointSlice endpoints that name it) and into ServiceEntries' workload selectors.
/// </summary>
/// <param name="Ips">status.podIPs (or status.podIP), in order; empty until the pod has one.</param>
/// <param name="Ready">
/// Whether istiod 1.10 hands the pod to ServiceEntry selection: phase Pending or Running, not being
/// deleted, and its Ready condition True. A pod that is not is no endpoint of a ServiceEntry.
/// </param>
public sealed record MeshPod(ObjectKey Key, ValueMap<string> Labels, ValueList<string> Ips, bool Ready = false) : MeshObject(Key)
{
    public const string KindName = "Pod";

    public override string Kind => KindName;
}
