using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Turns a mesh snapshot and a proxy view into Envoy resources. Pure with respect to its inputs: the
/// memos only avoid rebuilding what an earlier call already built from the same objects.
/// </summary>
public sealed class ConfigGenerator
{
    private static readonly XdsResource BlackHole = XdsResource.Create(MeshNames.BlackHoleCluster, ClusterBuilder.BlackHole());
    private static readonly XdsResource Passthrough = XdsResource.Create(MeshNames.PassthroughCluster, ClusterBuilder.Passthrough());
    private static readonly XdsResource InboundPassthrough = XdsResource.Create(MeshNames.InboundPassthroughCluster, ClusterBuilder.InboundPassthrough());
    private static readonly XdsResource VirtualOutbound = XdsResource.Create(MeshNames.VirtualOutbound, VirtualListenerBuilder.VirtualOutbound());

    private readonly ConditionalWeakTable<MeshService, ServiceOutputs> _services = new();
    private readonly ConditionalWeakTable<MeshSnapshot, PortIndex> _portIndexes = new();
    private readonly InputMemo<(int Port, string Namespace), XdsResource> _routes = new();
    private readonly InputMemo<int, XdsResource?> _httpListeners = new();
    private readonly InputMemo<string, XdsResource> _inboundListeners = new();
    private readonly InputMemo<InboundPort, XdsResource> _inboundClusters = new();

    public GenerationStats Stats { get; } = new();

    /// <param name="previous">
    /// This view's config from the snapshot before, when only endpoints changed since: its clusters,
    /// listeners and routes are kept and only endpoints are regenerated.
    /// </param>
    public ProxyConfig Generate(MeshSnapshot mesh, ProxyView view, ProxyConfig? previous = null)
    {
        Stats.CountView();
        var oneLocality = view.Flavor == ProxyFlavor.Mosn;
        var endpoints = new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).Endpoints(mesh.SlicesOf(s.Key), oneLocality)));
        if (previous is not null)
        {
            return new ProxyConfig(mesh.Version, previous.Clusters, endpoints, previous.Listeners, previous.Routes);
        }

        return view.Kind switch
        {
            ProxyKind.Sidecar => new ProxyConfig(mesh.Version, SidecarClusters(mesh, view), endpoints, SidecarListeners(mesh, view), SidecarRoutes(mesh, view)),
            ProxyKind.Grpc => new ProxyConfig(
                mesh.Version,
                new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).Clusters)),
                endpoints,
                new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).GrpcListeners)),
                new ResourceSet(mesh.Services.Values.SelectMany(s => Outputs(s).GrpcRoutes))),
            // Gateways get listeners and routes from Gateway resources, which are not translated yet.
            _ => new ProxyConfig(mesh.Version, SidecarClusters(mesh, view), endpoints, ResourceSet.Empty, ResourceSet.Empty),
        };
    }

    /// <summary>Drops memo entries for ports and namespaces the mesh no longer has.</summary>
    public void Compact(MeshSnapshot mesh, IReadOnlySet<string> namespaces)
    {
        var ports = PortsOf(mesh).ByPort.Keys.ToHashSet();
        _httpListeners.RetainOnly(ports);
        _routes.RetainOnly(ports.SelectMany(p => namespaces.Select(ns => (p, ns))).ToHashSet());
    }

    private ServiceOutputs Outputs(MeshService service) =>
        _services.GetValue(service, s => new ServiceOutputs(s, Stats));

    private PortIndex PortsOf(MeshSnapshot mesh) => _portIndexes.GetValue(mesh, m => new PortIndex(m));

    private ResourceSet SidecarClusters(MeshSnapshot mesh, ProxyView view)
    {
        var clusters = mesh.Services.Values.SelectMany(s => Outputs(s).Clusters).ToList();
        foreach (var port in view.Inbound)
        {
            clusters.Add(_inboundClusters.Get(port, [], () => Built(XdsResource.Create(MeshNames.InboundCluster(port.Port), ClusterBuilder.Inbound(port)))));
        }

        clusters.Add(BlackHole);
        clusters.Add(Passthrough);
        if (view.Kind == ProxyKind.Sidecar)
        {
            clusters.Add(InboundPassthrough);
        }

        return new ResourceSet(clusters);
    }

    private ResourceSet SidecarListeners(MeshSnapshot mesh, ProxyView view)
    {
        var listeners = new List<XdsResource> { VirtualOutbound };
        var shape = string.Join(',', view.Inbound.Select(p => $"{p.Port}/{p.Protocol}"));
        listeners.Add(_inboundListeners.Get(shape, [], () => Built(XdsResource.Create(MeshNames.VirtualInbound, VirtualListenerBuilder.VirtualInbound(view.Inbound)))));

        foreach (var (port, services) in PortsOf(mesh).ByPort)
        {
            var http = _httpListeners.Get(port, Inputs(services), () =>
            {
                var built = OutboundListenerBuilder.Http(port, services);
                return built is null ? null : Built(XdsResource.Create(built.Name, built));
            });
            if (http is not null)
            {
                listeners.Add(http);
            }
        }

        listeners.AddRange(mesh.Services.Values.SelectMany(s => Outputs(s).TcpListeners));

        return new ResourceSet(listeners);
    }

    private ResourceSet SidecarRoutes(MeshSnapshot mesh, ProxyView view)
    {
        var routes = new List<XdsResource>();
        foreach (var (port, services) in PortsOf(mesh).ByPort)
        {
            var http = services.Where(s => s.Port.Protocol.IsHttp()).ToList();
            if (http.Count == 0)
            {
                continue;
            }

            routes.Add(_routes.Get((port, view.Namespace), Inputs(http), () =>
                Built(XdsResource.Create(MeshNames.OutboundRoute(port), RouteBuilder.Outbound(port, http.Select(s => s.Service), view.Namespace)))));
        }

        return new ResourceSet(routes);
    }

    private static object[] Inputs(List<(MeshService Service, MeshServicePort Port)> services) =>
        services.Select(s => (object)s.Service).ToArray();

    private XdsResource Built(XdsResource resource)
    {
        Stats.CountResources(1);
        return resource;
    }
}
