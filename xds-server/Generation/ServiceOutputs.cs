using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// The resources one service instance yields, built on first use and kept as long as the service
/// object lives: a service that did not change is never rebuilt, whatever else changed.
/// </summary>
internal sealed class ServiceOutputs
{
    private readonly MeshService _service;
    private readonly GenerationStats _stats;
    private readonly Lazy<ImmutableArray<XdsResource>> _clusters;
    private readonly Lazy<ImmutableArray<XdsResource>> _tcpListeners;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcListeners;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcRoutes;
    private readonly object _endpointsGate = new();
    private (ImmutableArray<MeshEndpointSlice> Slices, ImmutableArray<XdsResource> Assignments)? _endpoints;
    private (ImmutableArray<MeshEndpointSlice> Slices, ImmutableArray<XdsResource> Assignments)? _oneLocalityEndpoints;

    public ServiceOutputs(MeshService service, GenerationStats stats)
    {
        _service = service;
        _stats = stats;
        _clusters = new(() => PerPort(port => XdsResource.Create(MeshNames.OutboundCluster(port.Port, service.Hostname), ClusterBuilder.Outbound(service, port))));
        _tcpListeners = new(() =>
        {
            var listeners = service.Ports.Select(port => OutboundListenerBuilder.Tcp(service, port)).OfType<Envoy.Config.Listener.V3.Listener>().ToList();
            stats.CountResources(listeners.Count);
            return listeners.Select(l => XdsResource.Create(l.Name, l)).ToImmutableArray();
        });
        _grpcListeners = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.ApiListener(service, port))));
        _grpcRoutes = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.Routes(service, port))));
    }

    public ImmutableArray<XdsResource> Clusters => _clusters.Value;

    /// <summary>The VIP_PORT listeners of the service's TCP ports.</summary>
    public ImmutableArray<XdsResource> TcpListeners => _tcpListeners.Value;

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
