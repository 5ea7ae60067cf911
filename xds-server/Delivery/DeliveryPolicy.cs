using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// How a stream bends the protocol for a proxy that does not follow it. Envoy and gRPC follow it;
/// MOSN's istio-1.10 ADS client does not (mosn pkg/xds/v3: each response is handled on its own
/// goroutine, EDS is re-requested after CDS with the names and nonce of the previous EDS ACK).
/// </summary>
internal sealed record DeliveryPolicy(bool EndpointsFollowClusters)
{
    public static DeliveryPolicy Standard { get; } = new(false);

    /// <summary>
    /// For MOSN: EDS carries every ClusterLoadAssignment of the clusters sent, whatever names the
    /// request lists (they may be the ones from before the last CDS), and after a CDS response EDS
    /// waits for the CDS ACK, since MOSN drops endpoints of clusters it has not created yet.
    /// </summary>
    public static DeliveryPolicy Mosn { get; } = new(true);

    public static DeliveryPolicy For(ProxyNode node) => node.Flavor == ProxyFlavor.Mosn ? Mosn : Standard;
}
