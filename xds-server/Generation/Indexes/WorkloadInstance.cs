using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// An endpoint of one service port that does not come from an EndpointSlice (istiod 1.10's
/// <c>IstioEndpoint</c> of a ServiceInstance): a ServiceEntry's inline endpoint, a DNS entry's own
/// host, a WorkloadEntry or Pod an entry's workloadSelector selects, a WorkloadEntry a Kubernetes
/// Service's selector selects, or an ExternalName Service's name.
/// </summary>
/// <param name="Address">An IP, a DNS name (DNS resolution), or a Unix socket path (from unix://).</param>
/// <param name="EndpointPort">The port the workload listens on; 0 for a Unix socket.</param>
/// <param name="ServicePortName">The service port it serves, by name.</param>
/// <param name="Labels">The workload's labels (subsets select by them).</param>
/// <param name="Locality">region/zone/subzone, as a WorkloadEntry's locality or a pod's istio-locality label; empty when unknown.</param>
/// <param name="Weight">The load balancing weight; 0 when unset (counted as 1).</param>
/// <param name="Network">The network it is on; null when unknown.</param>
/// <param name="ServiceAccount">Its service account (a WorkloadEntry's serviceAccount); null when unknown.</param>
/// <param name="Source">The WorkloadEntry or Pod it comes from; null for inline endpoints and hosts.</param>
public sealed record WorkloadInstance(
    string Address,
    int EndpointPort,
    string ServicePortName,
    ValueMap<string> Labels,
    string Locality,
    uint Weight,
    string? Network,
    string? ServiceAccount,
    MeshObject? Source)
{
    /// <summary>The weight Envoy gets: the set weight, or 1.</summary>
    public uint EffectiveWeight => Weight == 0 ? 1 : Weight;

    /// <summary>Whether <see cref="Address"/> is an IP (a listener can bind it, a proxy can be it).</summary>
    public bool IsIp => System.Net.IPAddress.TryParse(Address, out _);
}
