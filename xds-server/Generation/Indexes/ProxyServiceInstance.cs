using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>A service port served by the workload at some address, on the workload's own port: what its inbound config is made of (istiod's GetProxyServiceInstances).</summary>
public sealed record ProxyServiceInstance(HostService Service, MeshServicePort Port, int EndpointPort);
