using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Everything about a proxy that its config depends on. Proxies with equal views get the very same
/// generated config, so this is kept as small as correctness allows.
/// </summary>
/// <param name="Namespace">Decides which short host names resolve, as DNS search paths do.</param>
/// <param name="Inbound">The ports this proxy's workload serves, for its inbound listener and clusters.</param>
/// <param name="Flavor">
/// Envoy or MOSN: MOSN gets each assignment's endpoints in one locality. Always Envoy for proxyless
/// gRPC, so that those views stay shared.
/// </param>
/// <param name="OwnEndpointAddress">
/// The sidecar's first IP, only when it is an endpoint of a headless service's (or NONE
/// ServiceEntry's) TCP or sniffed port: istiod builds no per-pod listener to the proxy's own address. Null otherwise, so that
/// every other proxy's view stays shared.
/// </param>
/// <param name="IpFamilies">
/// The families of a sidecar's addresses: they choose its wildcard and loopback-side addresses and
/// its inbound passthrough clusters. IPv4 for other kinds, whose config does not depend on it.
/// </param>
/// <param name="Locality">
/// The proxy's locality, for DestinationRule locality load balancing (weights and failover
/// priorities relative to it); null unless a DestinationRule of the mesh can make config depend on
/// it (outlier detection or locality distribution), and always for MOSN, which reads neither, so
/// that proxies of every locality share views otherwise.
/// </param>
/// <param name="SourceLabels">
/// Those of the workload's labels (key and value) that some VirtualService's match names in its
/// <c>sourceLabels</c>: istiod keeps only the rules whose sourceLabels the proxy's labels include,
/// and no other label changes anything. Null (or empty) for every other proxy, so views stay shared.
/// </param>
public sealed record ProxyView(
    ProxyKind Kind,
    string Namespace,
    ImmutableArray<InboundPort> Inbound,
    ProxyFlavor Flavor = ProxyFlavor.Envoy,
    string? OwnEndpointAddress = null,
    IpFamilies IpFamilies = IpFamilies.IPv4,
    LocalityLabel? Locality = null,
    ImmutableSortedDictionary<string, string>? SourceLabels = null)
{
    /// <summary><see cref="SourceLabels"/>, empty when null.</summary>
    public ImmutableSortedDictionary<string, string> Labels => SourceLabels ?? ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// The address listeners that take any destination listen on: 0.0.0.0 when the proxy has an
    /// IPv4 address, else :: (istiod's getActualWildcardAndLocalHost).
    /// </summary>
    public string Wildcard => IpFamilies.HasFlag(IpFamilies.IPv4) ? MeshNames.UnspecifiedAddress : MeshNames.UnspecifiedAddressIpv6;

    /// <summary>The source address inbound traffic is sent to the application from: 127.0.0.6, or ::6 on IPv6-only proxies.</summary>
    public string InboundBindAddress => IpFamilies.HasFlag(IpFamilies.IPv4) ? MeshNames.InboundPassthroughBindAddress : MeshNames.InboundPassthroughBindAddressIpv6;

    public bool Equals(ProxyView? other) =>
        other is not null && Kind == other.Kind && Namespace == other.Namespace && Flavor == other.Flavor &&
        OwnEndpointAddress == other.OwnEndpointAddress && IpFamilies == other.IpFamilies && Locality == other.Locality &&
        Inbound.AsSpan().SequenceEqual(other.Inbound.AsSpan()) && LabelsEqual(Labels, other.Labels);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Namespace);
        hash.Add(Flavor);
        hash.Add(OwnEndpointAddress);
        hash.Add(IpFamilies);
        hash.Add(Locality);
        foreach (var port in Inbound)
        {
            hash.Add(port);
        }

        foreach (var (key, value) in Labels)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    // A loop, not a LINQ lambda: views are compared per stream at every push.
    private static bool LabelsEqual(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        $"{Kind}/{Flavor}/{IpFamilies}/{Namespace}/[{string.Join(',', Inbound.Select(p => $"{p.Port}:{p.Protocol}"))}]{(OwnEndpointAddress is null ? "" : $"/{OwnEndpointAddress}")}{(Locality is null ? "" : $"/@{Locality}")}{(Labels.IsEmpty ? "" : $"/{{{string.Join(',', Labels.Select(l => $"{l.Key}={l.Value}"))}}}")}";
}

/// <summary>A port the workload listens on, and the protocol its service declares for it.</summary>
public readonly record struct InboundPort(int Port, MeshProtocol Protocol);
