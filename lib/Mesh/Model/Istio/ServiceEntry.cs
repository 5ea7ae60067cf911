namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io ServiceEntry: adds hosts (and their endpoints) to the mesh's service registry.</summary>
/// <param name="Hosts">At least one; FQDNs or wildcards, short names resolved in the entry's namespace.</param>
/// <param name="Addresses">VIPs or CIDRs.</param>
/// <param name="WorkloadSelector">Selects Pods and WorkloadEntries as endpoints instead of <see cref="Endpoints"/>.</param>
/// <param name="ExportTo"><c>.</c>, <c>*</c>, <c>~</c> (no one) or namespaces; empty means all.</param>
public sealed record ServiceEntry(
    ValueList<string> Hosts,
    ValueList<string> Addresses,
    ValueList<Port> Ports,
    ServiceEntryLocation Location,
    ServiceEntryResolution Resolution,
    ValueList<WorkloadEntry> Endpoints,
    WorkloadSelector? WorkloadSelector,
    ValueList<string> ExportTo,
    ValueList<string> SubjectAltNames);
