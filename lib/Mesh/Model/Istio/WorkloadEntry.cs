namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io WorkloadEntry (also a ServiceEntry's endpoint): a workload outside Kubernetes.</summary>
/// <param name="Address">An IP, a host name, or unix:///path.</param>
/// <param name="Ports">Service port name to the port this workload listens on.</param>
/// <param name="Locality">region/zone/subzone.</param>
/// <param name="Weight">0 when unset.</param>
public sealed record WorkloadEntry(
    string Address,
    ValueMap<uint> Ports,
    ValueMap<string> Labels,
    string? Network,
    string? Locality,
    uint Weight,
    string? ServiceAccount);
