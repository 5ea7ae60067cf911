using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Delivery;

public static class ProxyViews
{
    /// <summary>
    /// A proxy's view: its kind, namespace, data plane, and (sidecars only) the ports its workload
    /// serves and those of its labels that VirtualService sourceLabels name.
    /// </summary>
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

        return new ProxyView(
            ProxyKind.Sidecar,
            node.Namespace,
            ports.Select(p => new InboundPort(p.Key, p.Value)).ToImmutableArray(),
            node.Flavor,
            OwnEndpointAddress(node, mesh),
            FamiliesOf(node),
            SourceLabelIndex.Of(mesh).Select(node.Labels));
    }

    /// <summary>The families of the proxy's addresses; an IPv4-mapped IPv6 address counts as IPv4, as in istiod (Go's To4).</summary>
    private static IpFamilies FamiliesOf(ProxyNode node)
    {
        IpFamilies families = 0;
        foreach (var ip in node.IpAddresses)
        {
            var address = IPAddress.Parse(ip);
            families |= address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? IpFamilies.IPv4 : IpFamilies.IPv6;
        }

        return families;
    }

    /// <summary>The proxy's first IP if a headless service gives it a per-pod listener (TCP or sniffed port), else null.</summary>
    private static string? OwnEndpointAddress(ProxyNode node, MeshSnapshot mesh)
    {
        var first = node.IpAddresses[0];
        return mesh.InstancesAt(first).Any(i => i.Service.Resolution == MeshResolution.Passthrough && i.Port.Protocol.ForListener() is ListenerProtocol.Tcp or ListenerProtocol.Auto)
            ? first
            : null;
    }
}
