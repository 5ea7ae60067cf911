using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// How a stream bends the protocol for a proxy that does not follow it. Envoy and gRPC follow it;
/// MOSN's istio-1.10 ADS client does not (mosn pkg/xds/v3: each response is handled on its own
/// goroutine, EDS is re-requested after CDS with the names and nonce of the previous EDS ACK).
/// </summary>
/// <param name="EndpointsFollowClusters">See <see cref="Mosn"/>.</param>
/// <param name="PartialRoutes">
/// Whether an RDS push may carry only the route configurations that changed. MOSN ACKs RDS with the
/// names of the last response only, so it would then narrow its own subscription.
/// </param>
internal sealed record DeliveryPolicy(bool EndpointsFollowClusters, bool PartialRoutes)
{
    public static DeliveryPolicy Standard { get; } = new(false, true);

    /// <summary>
    /// For MOSN: EDS carries every ClusterLoadAssignment of the clusters sent, whatever names the
    /// request lists (they may be the ones from before the last CDS), and after a CDS response EDS
    /// waits for the CDS ACK, since MOSN drops endpoints of clusters it has not created yet.
    /// </summary>
    public static DeliveryPolicy Mosn { get; } = new(true, false);

    public static DeliveryPolicy For(ProxyNode node) => node.Flavor == ProxyFlavor.Mosn ? Mosn : Standard;
}
