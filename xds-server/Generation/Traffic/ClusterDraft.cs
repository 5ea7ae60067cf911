using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;
using HttpProtocolOptions = Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// A cluster being built, with its upstream HTTP protocol options kept as a message until
/// <see cref="Build"/> packs them (istiod 1.10's MutableCluster): several steps (protocol
/// sniffing, HTTP/2, connection pool, TLS) read and change them.
/// </summary>
internal sealed class ClusterDraft
{
    /// <summary>Envoy's default of 100 concurrent streams is too low for a mesh; istiod's value.</summary>
    private const uint MaxConcurrentStreams = 1073741824;

    public ClusterDraft(Cluster cluster)
    {
        Cluster = cluster;
    }

    public Cluster Cluster { get; }

    /// <summary>The upstream HTTP protocol options; null while no step set any.</summary>
    public HttpProtocolOptions? HttpOptions { get; private set; }

    /// <summary>True when the options say upstream HTTP/2 explicitly (istiod's IsHttp2Cluster): TLS then offers ALPN h2.</summary>
    public bool IsHttp2 => HttpOptions?.ExplicitHttpConfig?.Http2ProtocolOptions is not null;

    /// <summary>Upstream HTTP/1.1 or HTTP/2, whichever the downstream connection spoke (istiod's setUseDownstreamProtocol).</summary>
    public void UseDownstreamProtocol() => Options().UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
    {
        HttpProtocolOptions = new Http1ProtocolOptions(),
        Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = MaxConcurrentStreams },
    };

    /// <summary>Upstream HTTP/2 (istiod's setH2Options); replaces whatever upstream protocol was chosen before.</summary>
    public void UseHttp2() => Options().ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig
    {
        Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = MaxConcurrentStreams },
    };

    /// <summary>How long an upstream connection may stay idle (connectionPool.http.idleTimeout).</summary>
    public void SetIdleTimeout(Duration idleTimeout) =>
        Options().CommonHttpProtocolOptions = new Envoy.Config.Core.V3.HttpProtocolOptions { IdleTimeout = idleTimeout };

    /// <summary>The finished cluster, protocol options packed under their extension name.</summary>
    public Cluster Build()
    {
        if (HttpOptions is not null)
        {
            Cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = Any.Pack(HttpOptions);
        }

        return Cluster;
    }

    private HttpProtocolOptions Options() => HttpOptions ??= new HttpProtocolOptions();
}
