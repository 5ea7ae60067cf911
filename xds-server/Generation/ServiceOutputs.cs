using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// The resources one service of the registry yields (a Kubernetes Service, or a ServiceEntry host),
/// built on first use and kept as long as the <see cref="HostService"/> lives, that is as long as
/// the object defining it: a service that did not change is never rebuilt, whatever else changed.
/// What depends on endpoints (assignments, and the clusters of DNS services, which carry theirs) is
/// rebuilt only when the service's <see cref="HostEndpoints"/> is another instance.
/// </summary>
internal sealed class ServiceOutputs
{
    private readonly HostService _service;
    private readonly GenerationStats _stats;
    private readonly GenerationOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<ProxyKind, (HostEndpoints? Endpoints, ImmutableArray<XdsResource> Clusters)> _clusters = new();
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcListeners;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcRoutes;
    private (HostEndpoints Endpoints, ImmutableArray<XdsResource> Assignments)? _endpoints;
    private (HostEndpoints Endpoints, ImmutableArray<XdsResource> Assignments)? _oneLocalityEndpoints;

    public ServiceOutputs(HostService service, GenerationStats stats, GenerationOptions options)
    {
        _service = service;
        _stats = stats;
        _options = options;
        _grpcListeners = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.ApiListener(service, port))));
        _grpcRoutes = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), GrpcBuilder.Routes(service, port))));
    }

    /// <summary>
    /// The outbound clusters of the service's ports, of the type the kind of proxy gets (see
    /// <see cref="ClusterBuilder.Outbound"/>); a DNS service's port without endpoints has none.
    /// </summary>
    /// <param name="endpoints">The service's endpoints; only DNS clusters depend on them.</param>
    public ImmutableArray<XdsResource> Clusters(ProxyKind kind, HostEndpoints endpoints)
    {
        var dependsOnEndpoints = _service.Resolution == MeshResolution.DnsLb && kind != ProxyKind.Grpc;
        lock (_gate)
        {
            if (_clusters.TryGetValue(kind, out var cached) && (!dependsOnEndpoints || ReferenceEquals(cached.Endpoints, endpoints)))
            {
                return cached.Clusters;
            }

            var clusters = Ports()
                .Select(port => ClusterBuilder.Outbound(_service, port, kind, _options.EnableEdsForHeadlessServices, endpoints))
                .Where(cluster => cluster is not null)
                .Select(cluster => XdsResource.Create(cluster!.Name, cluster))
                .ToImmutableArray();
            _stats.CountResources(clusters.Length);
            _clusters[kind] = (dependsOnEndpoints ? endpoints : null, clusters);
            return clusters;
        }
    }

    public ImmutableArray<XdsResource> GrpcListeners => _grpcListeners.Value;

    public ImmutableArray<XdsResource> GrpcRoutes => _grpcRoutes.Value;

    /// <summary>One assignment per port, from <paramref name="endpoints"/> (normally the service's own); rebuilt only when that is another instance.</summary>
    /// <param name="oneLocality">All endpoints in one locality, for MOSN (see <see cref="EndpointBuilder.Build"/>).</param>
    public ImmutableArray<XdsResource> Endpoints(HostEndpoints endpoints, bool oneLocality = false)
    {
        lock (_gate)
        {
            var memo = oneLocality ? _oneLocalityEndpoints : _endpoints;
            if (memo is { } cached && ReferenceEquals(cached.Endpoints, endpoints))
            {
                return cached.Assignments;
            }

            var assignments = PerPort(port => XdsResource.Create(
                MeshNames.OutboundCluster(port.Port, _service.Hostname),
                EndpointBuilder.Build(MeshNames.OutboundCluster(port.Port, _service.Hostname), port, endpoints, oneLocality)));
            if (oneLocality)
            {
                _oneLocalityEndpoints = (endpoints, assignments);
            }
            else
            {
                _endpoints = (endpoints, assignments);
            }

            return assignments;
        }
    }

    private IEnumerable<MeshServicePort> Ports() => _service.Ports.Where(p => p.Protocol != MeshProtocol.Udp);

    private ImmutableArray<XdsResource> PerPort(Func<MeshServicePort, XdsResource> build)
    {
        var ports = Ports().ToList();
        _stats.CountResources(ports.Count);
        return ports.Select(build).ToImmutableArray();
    }
}
