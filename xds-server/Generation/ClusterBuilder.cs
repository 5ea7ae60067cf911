using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using HttpProtocolOptions = Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;
using Google.Protobuf.WellKnownTypes;
using ControlPlane.XdsServer.Generation.Traffic;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds CDS resources: one cluster per service port, plus the fixed clusters sidecars rely on.</summary>
public static class ClusterBuilder
{
    /// <summary>How often Envoy re-resolves a STRICT_DNS cluster's name: Istio's meshConfig.dnsRefreshRate default.</summary>
    private static readonly Duration DnsRefreshRate = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));

    /// <summary>
    /// An outbound cluster as istiod 1.10's buildDefaultCluster and setUpstreamProtocol make it,
    /// before any DestinationRule: mesh defaults (10 s connect timeout, round robin, or
    /// CLUSTER_PROVIDED for ORIGINAL_DST, unlimited circuit breakers), Istio's service metadata,
    /// for STRICT_DNS the endpoints it carries (istiod's buildLocalityLbEndpoints: the external
    /// name, a DNS ServiceEntry's endpoints or hosts; for a subset cluster those with the subset's
    /// labels), and the upstream protocol (the downstream's on sidecars' sniffed ports, HTTP/2 on
    /// HTTP/2 ports). Null for a STRICT_DNS cluster left without endpoints, which istiod leaves out
    /// (an ExternalName service's endpoint has the Service's labels, which this model does not
    /// keep, so a subset with labels selects none).
    /// </summary>
    /// <param name="subsetLabels">The subset's labels for a subset cluster; null for the port's default cluster.</param>
    /// <param name="endpoints">The service's endpoints, which a STRICT_DNS cluster carries; other types ignore them.</param>
    internal static ClusterDraft? OutboundDraft(string name, HostService service, MeshServicePort port, ProxyKind kind, Cluster.Types.DiscoveryType type, ValueMap<string>? subsetLabels, HostEndpoints endpoints)
    {
        var cluster = new Cluster
        {
            Name = name,
            Type = type,
            ConnectTimeout = EnvoyDefaults.ConnectTimeout,
            LbPolicy = type == Cluster.Types.DiscoveryType.OriginalDst ? Cluster.Types.LbPolicy.ClusterProvided : Cluster.Types.LbPolicy.RoundRobin,
            CircuitBreakers = UnlimitedCircuitBreakers(),
            Metadata = IstioServiceMetadata(service, port),
        };

        if (type == Cluster.Types.DiscoveryType.StrictDns)
        {
            var dnsEndpoints = EndpointBuilder.DnsEndpoints(port, endpoints, subsetLabels);
            if (dnsEndpoints.Count == 0)
            {
                return null;
            }

            // istiod 1.10 asks for IPv4 answers only, whatever the proxy's own addresses.
            cluster.DnsLookupFamily = Cluster.Types.DnsLookupFamily.V4Only;
            cluster.DnsRefreshRate = DnsRefreshRate;
            cluster.RespectDnsTtl = true;
            cluster.LoadAssignment = new ClusterLoadAssignment { ClusterName = name, Endpoints = { dnsEndpoints } };
        }

        var draft = new ClusterDraft(cluster);
        // Protocol sniffing passes on whatever the client spoke; only sidecars sniff.
        if (kind == ProxyKind.Sidecar && port.Protocol == MeshProtocol.Unsupported)
        {
            draft.UseDownstreamProtocol();
        }
        else if (port.Protocol.IsHttp2())
        {
            draft.UseHttp2();
        }

        return draft;
    }

    /// <summary>EDS clusters fetch their endpoints over ADS under their own name (istiod's maybeApplyEdsConfig); set last, as a load balancer policy may turn a cluster into ORIGINAL_DST.</summary>
    internal static void ApplyEdsConfig(Cluster cluster)
    {
        if (cluster.Type == Cluster.Types.DiscoveryType.Eds)
        {
            cluster.EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = cluster.Name, EdsConfig = EnvoyDefaults.Ads() };
        }
    }

    /// <summary>
    /// The type istiod 1.10 gives a service's outbound clusters for the kind of proxy
    /// (<c>convertResolution</c>): EDS for services with a VIP and STATIC ServiceEntries;
    /// STRICT_DNS for ExternalName services and DNS ServiceEntries; for headless services and NONE
    /// ServiceEntries ORIGINAL_DST on sidecars (unless <paramref name="edsForHeadless"/>, which
    /// applies to Kubernetes services only, as there) and EDS elsewhere. Proxyless gRPC always gets
    /// EDS, as istiod's gRPC generator sends. A DestinationRule's PASSTHROUGH may still make it ORIGINAL_DST.
    /// </summary>
    internal static Cluster.Types.DiscoveryType DiscoveryType(HostService service, ProxyKind kind, bool edsForHeadless) =>
        kind == ProxyKind.Grpc ? Cluster.Types.DiscoveryType.Eds :
        service.Resolution switch
        {
            MeshResolution.DnsLb => Cluster.Types.DiscoveryType.StrictDns,
            MeshResolution.Passthrough when kind == ProxyKind.Sidecar && !(edsForHeadless && service.IsKubernetes) => Cluster.Types.DiscoveryType.OriginalDst,
            _ => Cluster.Types.DiscoveryType.Eds,
        };

    /// <summary>
    /// Inbound traffic for a workload port goes on to its original destination (the pod IP), sent
    /// from 127.0.0.6 (::6 on IPv6-only proxies) so that iptables does not capture it again: Istio's
    /// inbound passthrough mode.
    /// </summary>
    public static Cluster Inbound(InboundPort port, string bindAddress = MeshNames.InboundPassthroughBindAddress)
    {
        var cluster = OriginalDestination(MeshNames.InboundCluster(port.Port));
        cluster.UpstreamBindConfig = new BindConfig { SourceAddress = EnvoyDefaults.SocketAddress(bindAddress, 0).SocketAddress };
        if (port.Protocol == MeshProtocol.Unsupported)
        {
            cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = UseDownstreamProtocol();
        }
        else if (port.Protocol.IsHttp2())
        {
            cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = ExplicitHttp2();
        }

        return cluster;
    }

    /// <summary>Where traffic to unknown destinations goes when the mesh blocks it.</summary>
    public static Cluster BlackHole() => new()
    {
        Name = MeshNames.BlackHoleCluster,
        Type = Cluster.Types.DiscoveryType.Static,
        ConnectTimeout = EnvoyDefaults.ConnectTimeout,
        LbPolicy = Cluster.Types.LbPolicy.RoundRobin,
    };

    /// <summary>Traffic to destinations outside the mesh keeps its original destination and protocol.</summary>
    public static Cluster Passthrough()
    {
        var cluster = OriginalDestination(MeshNames.PassthroughCluster);
        cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = UseDownstreamProtocol();
        return cluster;
    }

    /// <summary>
    /// Inbound traffic to ports no service declares, passed on to the application as is:
    /// InboundPassthroughClusterIpv4 from 127.0.0.6, or (<paramref name="ipv6"/>)
    /// InboundPassthroughClusterIpv6 from ::6.
    /// </summary>
    public static Cluster InboundPassthrough(bool ipv6 = false)
    {
        var cluster = Passthrough();
        cluster.Name = ipv6 ? MeshNames.InboundPassthroughClusterIpv6 : MeshNames.InboundPassthroughCluster;
        var bind = ipv6 ? MeshNames.InboundPassthroughBindAddressIpv6 : MeshNames.InboundPassthroughBindAddress;
        cluster.UpstreamBindConfig = new BindConfig { SourceAddress = EnvoyDefaults.SocketAddress(bind, 0).SocketAddress };
        return cluster;
    }

    /// <summary>Upstream HTTP/1.1 or HTTP/2, whichever the downstream connection spoke.</summary>
    private static Any UseDownstreamProtocol() => Any.Pack(new HttpProtocolOptions
    {
        UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
        {
            HttpProtocolOptions = new Http1ProtocolOptions(),
            Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 1073741824 },
        },
    });

    /// <summary>Upstream HTTP/2, with Istio's limit on concurrent streams instead of Envoy's low default.</summary>
    private static Any ExplicitHttp2() => Any.Pack(new HttpProtocolOptions
    {
        ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig
        {
            Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 1073741824 },
        },
    });

    private static Cluster OriginalDestination(string name) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.OriginalDst,
        LbPolicy = Cluster.Types.LbPolicy.ClusterProvided,
        ConnectTimeout = EnvoyDefaults.ConnectTimeout,
        CleanupInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(60)),
        CircuitBreakers = UnlimitedCircuitBreakers(),
    };

    /// <summary>Istio lifts Envoy's low defaults (1024) so the mesh itself never sheds load.</summary>
    private static CircuitBreakers UnlimitedCircuitBreakers() => new() { Thresholds = { UnlimitedThresholds() } };

    /// <summary>istiod 1.10's default circuit breaker thresholds: every limit at its maximum, remaining capacity tracked.</summary>
    internal static CircuitBreakers.Types.Thresholds UnlimitedThresholds() => new()
    {
        MaxConnections = uint.MaxValue,
        MaxPendingRequests = uint.MaxValue,
        MaxRequests = uint.MaxValue,
        MaxRetries = uint.MaxValue,
        TrackRemaining = true,
    };

    /// <summary>Lets tools (and stats) map a cluster back to its service: host, name (a ServiceEntry's host) and namespace.</summary>
    private static Metadata IstioServiceMetadata(HostService service, MeshServicePort port)
    {
        var serviceEntry = new Struct();
        serviceEntry.Fields["host"] = Value.ForString(service.Hostname);
        serviceEntry.Fields["name"] = Value.ForString(service.Name);
        serviceEntry.Fields["namespace"] = Value.ForString(service.Namespace);
        var istio = new Struct();
        istio.Fields["default_original_port"] = Value.ForNumber(port.Port);
        istio.Fields["services"] = Value.ForList(Value.ForStruct(serviceEntry));
        return new Metadata { FilterMetadata = { ["istio"] = istio } };
    }
}
