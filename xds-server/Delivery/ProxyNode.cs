using System.Collections.Immutable;
using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>Who is on the other end of a stream, parsed from its Envoy node as Istio does.</summary>
/// <param name="Id">The whole node id, e.g. sidecar~10.1.1.1~reviews-v1-abc.default~default.svc.cluster.local.</param>
/// <param name="NodeType">"sidecar" or "router".</param>
/// <param name="PodId">The third part: pod name and namespace.</param>
/// <param name="IpAddresses">From INSTANCE_IPS when set, else the id's IP.</param>
/// <param name="Flavor">Envoy unless the node says it is MOSN (see <see cref="ProxyFlavor.Mosn"/>).</param>
/// <param name="Locality">
/// The Envoy node's locality (pilot-agent sets it from the pod's <c>istio-locality</c> label or the
/// platform); empty when the node has none, as istiod takes it.
/// </param>
public sealed record ProxyNode(
    string Id,
    string NodeType,
    ImmutableArray<string> IpAddresses,
    string PodId,
    string DnsDomain,
    string Namespace,
    ImmutableSortedDictionary<string, string> Labels,
    string? IstioVersion,
    string? ClusterId,
    string? Generator,
    ProxyFlavor Flavor = ProxyFlavor.Envoy,
    LocalityLabel Locality = default)
{
    public ProxyKind Kind => Generator == "grpc" ? ProxyKind.Grpc : NodeType == "router" ? ProxyKind.Router : ProxyKind.Sidecar;

    /// <summary>Matches Istio's proxyID forms: the full id, or "pod.namespace".</summary>
    public bool Matches(string proxyId) => proxyId == Id || proxyId == PodId;
}
