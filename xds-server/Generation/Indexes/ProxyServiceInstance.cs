using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>A service port served by the workload at some address, on the workload's own port: what its inbound config is made of (istiod's GetProxyServiceInstances).</summary>
/// <param name="Locality">
/// The endpoint's region/zone/subzone when its registry knows it (a WorkloadEntry's or ServiceEntry
/// endpoint's locality, a selected Pod's istio-locality label); empty for EndpointSlice endpoints,
/// whose proxies report the same locality themselves.
/// </param>
public sealed record ProxyServiceInstance(HostService Service, MeshServicePort Port, int EndpointPort, string Locality = "");
