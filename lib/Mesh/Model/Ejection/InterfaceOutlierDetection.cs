namespace ControlPlane.Mesh.Model.Ejection;

/// <summary>
/// The spec of a mesh.controlplane.io/v1alpha1 InterfaceOutlierDetection: eject a host's endpoint
/// only for the interfaces (HTTP paths, gRPC methods, ...) that fail on it. Each interface gets a
/// cluster of its own with the host's endpoints and this outlier detection; requests matching the
/// interface are routed there, every other request keeps the host's usual cluster.
/// </summary>
/// <param name="Host">
/// As written: a short name is a Kubernetes Service of the object's namespace (resolved as Istio
/// resolves DestinationRule hosts), anything else a fully qualified host (a Service's or a
/// ServiceEntry's). Never a wildcard.
/// </param>
/// <param name="Port">The service port the interfaces are on; 0 (unset) means every port of the host.</param>
/// <param name="Subsets">
/// DestinationRule subsets whose clusters get interface clusters besides the host's own; empty
/// means the host's cluster and every subset's.
/// </param>
/// <param name="Interfaces">At least one; names unique. Matched in this order, first match wins.</param>
public sealed record InterfaceOutlierDetection(
    string Host,
    uint Port,
    ValueList<string> Subsets,
    ValueList<OutlierInterface> Interfaces);
