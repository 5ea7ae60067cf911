using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Traffic;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// The resources one service of the registry yields (a Kubernetes Service, or a ServiceEntry host),
/// built on first use and kept as long as the <see cref="HostService"/> lives, that is as long as
/// the object defining it: a service that did not change is never rebuilt, whatever else changed.
/// Clusters are kept per kind of proxy and DestinationRule instance (which keeps its identity while
/// its rules do); those of DNS services, which carry their endpoints, also per
/// <see cref="HostEndpoints"/> instance. Assignments are kept per cluster against the
/// <see cref="EndpointInputs"/> they were made of.
/// </summary>
internal sealed class ServiceOutputs
{
    /// <summary>Bound on remembered assignments per service; past it they are all forgotten and rebuilt on demand.</summary>
    private const int MaxAssignments = 4096;

    /// <summary>
    /// Bound on remembered cluster sets per rule: STRICT_DNS clusters are kept per proxy locality,
    /// which proxies choose; past it they are forgotten and rebuilt on demand.
    /// </summary>
    private const int MaxClusterSets = 256;

    private readonly HostService _service;
    private readonly GenerationStats _stats;
    private readonly GenerationOptions _options;
    private readonly Lazy<ImmutableArray<XdsResource>> _grpcListeners;
    private readonly object _clustersGate = new();
    private readonly Dictionary<(ProxyKind, LocalityLabel?), (HostEndpoints? Endpoints, ServiceClusters Clusters)> _withoutRule = new();
    private readonly ConditionalWeakTable<EffectiveDestinationRule, Dictionary<(ProxyKind, LocalityLabel?), (HostEndpoints? Endpoints, ServiceClusters Clusters)>> _withRule = new();
    private readonly object _endpointsGate = new();
    private readonly Dictionary<AssignmentKey, (EndpointInputs Inputs, XdsResource Assignment)> _assignments = new();
    private EndpointInputs? _inputs;
    private ImmutableSortedDictionary<ObjectKey, MeshPod>? _inputsCheckedAgainst;

    public ServiceOutputs(HostService service, GenerationStats stats, GenerationOptions options)
    {
        _service = service;
        _stats = stats;
        _options = options;
        _grpcListeners = new(() => PerPort(port => XdsResource.Create(MeshNames.GrpcTarget(service.Hostname, port.Port), Grpc.GrpcBuilder.ApiListener(service, port))));
    }

    /// <summary>The proxyless gRPC api_listeners of the service's ports (see <see cref="Grpc.GrpcBuilder.ApiListener"/>).</summary>
    public ImmutableArray<XdsResource> GrpcListeners => _grpcListeners.Value;

    /// <summary>
    /// The outbound clusters of the service's ports (and subsets) for a kind of proxy under
    /// <paramref name="rule"/> (see <see cref="DestinationRuleClusters.Build"/>), with the EDS
    /// assignments they need; a DNS service's port (or subset) without endpoints has none.
    /// </summary>
    /// <param name="proxyLocality">Used only by STRICT_DNS clusters, whose own endpoints follow locality settings.</param>
    /// <param name="endpoints">The service's endpoints; only STRICT_DNS clusters depend on them.</param>
    public ServiceClusters Clusters(ProxyKind kind, EffectiveDestinationRule? rule, LocalityLabel? proxyLocality, HostEndpoints endpoints)
    {
        var edsForHeadless = _options.EnableEdsForHeadlessServices;
        var dns = ClusterBuilder.DiscoveryType(_service, kind, edsForHeadless) == Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.StrictDns;
        var locality = dns ? proxyLocality : null;
        lock (_clustersGate)
        {
            var memo = rule is null ? _withoutRule : _withRule.GetValue(rule, _ => new());
            if (memo.TryGetValue((kind, locality), out var cached) && (!dns || ReferenceEquals(cached.Endpoints, endpoints)))
            {
                return cached.Clusters;
            }

            var clusters = DestinationRuleClusters.Build(_service, kind, edsForHeadless, rule, locality, endpoints);
            _stats.CountResources(clusters.Clusters.Length);
            if (memo.Count >= MaxClusterSets)
            {
                memo.Clear();
            }

            memo[(kind, locality)] = (dns ? endpoints : null, clusters);
            return clusters;
        }
    }

    /// <summary>
    /// The assignment of <paramref name="target"/> (a cluster of this service's host name, possibly
    /// of another definition of it) from this service's <paramref name="endpoints"/> in
    /// <paramref name="mesh"/>; empty when this service lacks the target's port. Rebuilt only when
    /// the endpoints, or the Pods their slices name, changed.
    /// </summary>
    /// <param name="endpoints">This service's endpoints (<see cref="HostEndpoints.None"/> for a DNS service, whose endpoints EDS never carries).</param>
    /// <param name="oneLocality">All endpoints in one locality, for MOSN (see <see cref="EndpointBuilder.Build"/>); MOSN reads no locality weights or priorities, so none are applied.</param>
    /// <param name="proxyLocality">The proxy's locality, for targets whose assignment depends on it.</param>
    public XdsResource Assignment(MeshSnapshot mesh, EdsTarget target, HostEndpoints endpoints, bool oneLocality, LocalityLabel? proxyLocality)
    {
        lock (_endpointsGate)
        {
            var inputs = InputsOf(mesh, endpoints);
            var policy = oneLocality || proxyLocality is null ? null : target.Locality;
            var key = new AssignmentKey(target.ClusterName, target.Port.Port, target.SubsetLabels, oneLocality, policy, policy is null ? null : proxyLocality);
            if (_assignments.TryGetValue(key, out var cached) && ReferenceEquals(cached.Inputs, inputs))
            {
                return cached.Assignment;
            }

            var assignment = _service.FindPort(target.Port.Port) is { } port
                ? EndpointBuilder.Build(target.ClusterName, port, inputs, target.SubsetLabels, oneLocality)
                : new ClusterLoadAssignment { ClusterName = target.ClusterName };
            if (policy is not null)
            {
                LocalityLoadBalancing.Apply(proxyLocality!.Value, assignment, policy.Setting, policy.FailoverEnabled);
            }

            var resource = XdsResource.Create(target.ClusterName, assignment);
            _stats.CountResources(1);
            if (_assignments.Count >= MaxAssignments)
            {
                _assignments.Clear();
            }

            _assignments[key] = (inputs, resource);
            return resource;
        }
    }

    /// <summary>The service's endpoint inputs in <paramref name="mesh"/>: the same instance while its endpoints and their Pods are.</summary>
    private EndpointInputs InputsOf(MeshSnapshot mesh, HostEndpoints endpoints)
    {
        if (_inputs is { } current && ReferenceEquals(current.Endpoints, endpoints) && (endpoints.Slices.IsEmpty || ReferenceEquals(_inputsCheckedAgainst, mesh.Pods)))
        {
            return current;
        }

        var fresh = EndpointInputs.Of(mesh, endpoints);
        if (_inputs is null || !_inputs.SameAs(fresh))
        {
            // Assignments made of other inputs are stale: drop them rather than keep them until the cap.
            _assignments.Clear();
            _inputs = fresh;
        }

        _inputsCheckedAgainst = mesh.Pods;
        return _inputs;
    }

    private IEnumerable<MeshServicePort> Ports() => _service.Ports.Where(p => p.Protocol != MeshProtocol.Udp);

    private ImmutableArray<XdsResource> PerPort(Func<MeshServicePort, XdsResource> build)
    {
        var ports = Ports().ToList();
        _stats.CountResources(ports.Count);
        return ports.Select(build).ToImmutableArray();
    }

    private readonly record struct AssignmentKey(string ClusterName, int Port, ValueMap<string>? SubsetLabels, bool OneLocality, EdsLocalityPolicy? Policy, LocalityLabel? ProxyLocality);
}
