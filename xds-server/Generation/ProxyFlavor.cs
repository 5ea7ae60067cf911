namespace ControlPlane.XdsServer.Generation;

/// <summary>Which data plane runs a sidecar or gateway: what it accepts differs, so its config does too.</summary>
public enum ProxyFlavor
{
    /// <summary>Envoy (Istio 1.10's proxyv2 ships Envoy 1.18), and proxyless gRPC clients.</summary>
    Envoy,

    /// <summary>
    /// MOSN from its istio-1.10 branch: reads Envoy v3 xDS through its own converter, over state of
    /// the world only. Known by node metadata <c>PROXY_FLAVOR: mosn</c> (the injector sets
    /// <c>ISTIO_META_PROXY_FLAVOR</c>) or the pod label <c>mesh.controlplane.io/proxy-flavor: mosn</c>
    /// in <c>LABELS</c>.
    /// </summary>
    Mosn,
}
