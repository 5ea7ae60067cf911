using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Traffic;

namespace ControlPlane.XdsServer.Delivery;

public static class ProxyViews
{
    /// <summary>
    /// A proxy's view: its kind, namespace, data plane, and (sidecars only) the ports its workload
    /// serves (those of every service it is an endpoint of at one of its IPs, through an
    /// EndpointSlice, a WorkloadEntry or Pod a selector picks, or a ServiceEntry's inline endpoint),
    /// those of its labels that VirtualService sourceLabels name (sidecars and proxyless gRPC), and
    /// its locality when a DestinationRule can make it matter (not for proxyless gRPC, whose
    /// assignments carry no locality priorities).
    /// </summary>
    public static ProxyView For(ProxyNode node, MeshSnapshot mesh)
    {
        if (node.Kind == ProxyKind.Grpc)
        {
            // Envoy flavor and no locality, so gRPC views stay shared; sourceLabels decide their routes as a sidecar's.
            return new ProxyView(node.Kind, node.Namespace, ImmutableArray<InboundPort>.Empty, SourceLabels: SourceLabelIndex.Of(mesh).Select(node.Labels));
        }

        if (node.Kind != ProxyKind.Sidecar)
        {
            return new ProxyView(node.Kind, node.Namespace, ImmutableArray<InboundPort>.Empty, node.Flavor, Locality: LocalityOf(node, mesh));
        }

        var workloads = WorkloadIndex.Of(mesh);
        var ports = new SortedDictionary<int, MeshProtocol>();
        foreach (var ip in node.IpAddresses)
        {
            foreach (var instance in workloads.InstancesAt(ip))
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
            OwnEndpointAddress(node, workloads),
            FamiliesOf(node),
            LocalityOf(node, mesh, workloads),
            SourceLabelIndex.Of(mesh).Select(node.Labels));
    }

    /// <summary>
    /// The proxy's locality when a DestinationRule can make config depend on it (see
    /// <see cref="ProxyView.Locality"/>); never for MOSN. As istiod (setProxyState), the locality of
    /// the proxy's first service instance when the registry knows it (a WorkloadEntry's, a
    /// ServiceEntry endpoint's, a selected Pod's istio-locality label: a VM's sidecar often reports
    /// none itself), else the node's. EndpointSlice endpoints have none here: pilot-agent sets the
    /// node's from the same Pod label or platform.
    /// </summary>
    private static LocalityLabel? LocalityOf(ProxyNode node, MeshSnapshot mesh, WorkloadIndex? workloads = null)
    {
        if (node.Flavor != ProxyFlavor.Envoy || !LocalityDependence.Of(mesh))
        {
            return null;
        }

        var registered = workloads?.InstancesAt(node.IpAddresses[0]).FirstOrDefault()?.Locality;
        return string.IsNullOrEmpty(registered) ? node.Locality : LocalityLabel.Split(registered);
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

    /// <summary>The proxy's first IP if a headless service or NONE ServiceEntry gives it a per-endpoint listener (TCP or sniffed port), else null.</summary>
    private static string? OwnEndpointAddress(ProxyNode node, WorkloadIndex workloads)
    {
        var first = node.IpAddresses[0];
        return workloads.InstancesAt(first).Any(i => i.Service.Resolution == MeshResolution.Passthrough && i.Service.Address is null && i.Port.Protocol.ForListener() is ListenerProtocol.Tcp or ListenerProtocol.Auto)
            ? first
            : null;
    }
}
