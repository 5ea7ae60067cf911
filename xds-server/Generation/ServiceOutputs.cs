using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// The resources one service of the registry yields (a Kubernetes Service, or a ServiceEntry host),
/// built on first use and kept as long as the <see cref="HostService"/> lives, that is as long as
/// the object defining it: a service that did not change is never rebuilt, whatever else changed.
/// </summary>
internal sealed class ServiceOutputs
{
    private readonly HostService _service;
    private readonly GenerationStats _stats;
    private readonly Lazy<ImmutableArray<XdsResource>> _sidecarClusters;
    private readonly Lazy<ImmutableArray<XdsResource>> _routerClusters;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcClusters;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcListeners;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcRoutes;
    private readonly object _endpointsGate = new();
    private (ImmutableArray<MeshEndpointSlice> Slices, ImmutableArray<XdsResource> Assignments)? _endpoints;
    private (ImmutableArray<MeshEndpointSlice> Slices, ImmutableArray<XdsResource> Assignments)? _oneLocalityEndpoints;

    public ServiceOutputs(HostService service, GenerationStats stats, GenerationOptions options)
    {
        _service = service;
        _stats = stats;
        Lazy<ImmutableArray<XdsResource>> ClustersFor(ProxyKind kind) => new(() => PerPort(port => XdsResource.Create(
            MeshNames.OutboundCluster(port.Port, service.Hostname),
            ClusterBuilder.Outbound(service, port, kind, options.EnableEdsForHeadlessServices))));
        _sidecarClusters = ClustersFor(ProxyKind.Sidecar);
        _routerClusters = ClustersFor(ProxyKind.Router);
        _grpcClusters = ClustersFor(ProxyKind.Grpc);
        _grpcListeners = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.ApiListener(service, port))));
        _grpcRoutes = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.Routes(service, port))));
    }

    /// <summary>The outbound clusters of the service's ports, of the type the kind of proxy gets (see <see cref="ClusterBuilder.Outbound"/>).</summary>
    public ImmutableArray<XdsResource> Clusters(ProxyKind kind) => kind switch
    {
        ProxyKind.Sidecar => _sidecarClusters.Value,
        ProxyKind.Grpc => _grpcClusters.Value,
        _ => _routerClusters.Value,
    };

    public ImmutableArray<XdsResource> GrpcListeners => _grpcListeners.Value;

    public ImmutableArray<XdsResource> GrpcRoutes => _grpcRoutes.Value;

    /// <summary>One assignment per port; rebuilt only when the service's slices changed.</summary>
    /// <param name="oneLocality">All endpoints in one locality, for MOSN (see <see cref="EndpointBuilder.Build"/>).</param>
    public ImmutableArray<XdsResource> Endpoints(ImmutableArray<MeshEndpointSlice> slices, bool oneLocality = false)
    {
        lock (_endpointsGate)
        {
            var memo = oneLocality ? _oneLocalityEndpoints : _endpoints;
            if (memo is { } cached && cached.Slices == slices)
            {
                return cached.Assignments;
            }

            var assignments = PerPort(port => XdsResource.Create(
                MeshNames.OutboundCluster(port.Port, _service.Hostname),
                EndpointBuilder.Build(_service, port, slices, oneLocality)));
            if (oneLocality)
            {
                _oneLocalityEndpoints = (slices, assignments);
            }
            else
            {
                _endpoints = (slices, assignments);
            }

            return assignments;
        }
    }

    private ImmutableArray<XdsResource> PerPort(Func<MeshServicePort, XdsResource> build)
    {
        var ports = _service.Ports.Where(p => p.Protocol != MeshProtocol.Udp).ToList();
        _stats.CountResources(ports.Count);
        return ports.Select(build).ToImmutableArray();
    }
}
