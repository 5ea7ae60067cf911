using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

public static class ProxyViews
{
    /// <summary>A proxy's view: its kind, namespace, data plane, and (sidecars only) the ports its workload serves.</summary>
    public static ProxyView For(ProxyNode node, MeshSnapshot mesh)
    {
        if (node.Kind == ProxyKind.Grpc)
        {
            return new ProxyView(node.Kind, node.Namespace, ImmutableArray<InboundPort>.Empty);
        }

        if (node.Kind != ProxyKind.Sidecar)
        {
            return new ProxyView(node.Kind, node.Namespace, ImmutableArray<InboundPort>.Empty, node.Flavor);
        }

        var ports = new SortedDictionary<int, MeshProtocol>();
        foreach (var ip in node.IpAddresses)
        {
            foreach (var instance in mesh.InstancesAt(ip))
            {
                // Two services on one workload port: the first (by port, then service) decides the protocol.
                ports.TryAdd(instance.EndpointPort, instance.Port.Protocol);
            }
        }

        return new ProxyView(ProxyKind.Sidecar, node.Namespace, ports.Select(p => new InboundPort(p.Key, p.Value)).ToImmutableArray(), node.Flavor);
    }
}
