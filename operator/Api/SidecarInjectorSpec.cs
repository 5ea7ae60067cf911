using System.Text.Json.Serialization;
using k8s.Models;

namespace ControlPlane.Operator.Api;

/// <summary>Every field is optional: what is left out takes the documented default.</summary>
public sealed class SidecarInjectorSpec
{
    /// <summary>Envoy (istio/proxyv2) or MOSN (its proxyv2-compatible image). Namespaces and pods may override it.</summary>
    [JsonPropertyName("proxyFlavor")]
    public string? ProxyFlavor { get; set; }

    /// <summary>Image per flavor; defaults: docker.io/istio/proxyv2:1.10.0 and docker.io/mosnio/proxyv2:v1.0.0-1.10.6.</summary>
    [JsonPropertyName("images")]
    public SidecarImages? Images { get; set; }

    /// <summary>host:port of the xds-server; defaults to the operator's --discovery-address.</summary>
    [JsonPropertyName("discoveryAddress")]
    public string? DiscoveryAddress { get; set; }

    /// <summary>Which istio.io/rev label (on namespaces, or pods in unlabelled ones) selects this injector; default the operator's --revision.</summary>
    [JsonPropertyName("revision")]
    public string? Revision { get; set; }

    [JsonPropertyName("proxyLogLevel")]
    public string? ProxyLogLevel { get; set; }

    /// <summary>Worker threads of the proxy; default 2.</summary>
    [JsonPropertyName("concurrency")]
    public int? Concurrency { get; set; }

    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; set; }

    /// <summary>Inbound ports the sidecar does not capture, besides 15090 and 15021.</summary>
    [JsonPropertyName("excludeInboundPorts")]
    public IList<int>? ExcludeInboundPorts { get; set; }

    /// <summary>Outbound CIDRs captured; default "*" (all).</summary>
    [JsonPropertyName("includeOutboundIPRanges")]
    public string? IncludeOutboundIPRanges { get; set; }

    [JsonPropertyName("excludeOutboundIPRanges")]
    public string? ExcludeOutboundIPRanges { get; set; }
}

public sealed class SidecarImages
{
    [JsonPropertyName("envoy")]
    public string? Envoy { get; set; }

    [JsonPropertyName("mosn")]
    public string? Mosn { get; set; }
}
