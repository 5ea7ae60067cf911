using ControlPlane.Mesh.Model;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using HttpProtocolOptions = Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds CDS resources: one EDS cluster per service port, plus the fixed clusters sidecars rely on.</summary>
public static class ClusterBuilder
{
    public static Cluster Outbound(MeshService service, MeshServicePort port)
    {
        var name = MeshNames.OutboundCluster(port.Port, service.Hostname);
        var cluster = new Cluster
        {
            Name = name,
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig
            {
                ServiceName = name,
                EdsConfig = EnvoyDefaults.Ads(),
            },
            ConnectTimeout = EnvoyDefaults.ConnectTimeout,
            LbPolicy = Cluster.Types.LbPolicy.RoundRobin,
            CircuitBreakers = UnlimitedCircuitBreakers(),
            Metadata = IstioServiceMetadata(service, port),
        };

        if (port.Protocol.IsHttp2())
        {
            cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = Any.Pack(new HttpProtocolOptions
            {
                ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig
                {
                    Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 1073741824 },
                },
            });
        }

        return cluster;
    }

    /// <summary>
    /// Inbound traffic for a workload port goes on to its original destination (the pod IP), sent
    /// from 127.0.0.6 so that iptables does not capture it again: Istio's inbound passthrough mode.
    /// </summary>
    public static Cluster Inbound(InboundPort port)
    {
        var cluster = OriginalDestination(MeshNames.InboundCluster(port.Port));
        cluster.UpstreamBindConfig = new BindConfig { SourceAddress = EnvoyDefaults.SocketAddress(MeshNames.InboundPassthroughBindAddress, 0).SocketAddress };
        if (port.Protocol.IsHttp2())
        {
            cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = Any.Pack(new HttpProtocolOptions
            {
                ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 1073741824 } },
            });
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
        cluster.TypedExtensionProtocolOptions[MeshNames.HttpProtocolOptions] = Any.Pack(new HttpProtocolOptions
        {
            UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
            {
                HttpProtocolOptions = new Http1ProtocolOptions(),
                Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 1073741824 },
            },
        });
        return cluster;
    }

    /// <summary>Inbound traffic to ports no service declares, passed on to the application as is.</summary>
    public static Cluster InboundPassthrough()
    {
        var cluster = Passthrough();
        cluster.Name = MeshNames.InboundPassthroughCluster;
        cluster.UpstreamBindConfig = new BindConfig { SourceAddress = EnvoyDefaults.SocketAddress(MeshNames.InboundPassthroughBindAddress, 0).SocketAddress };
        return cluster;
    }

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
    private static CircuitBreakers UnlimitedCircuitBreakers() => new()
    {
        Thresholds =
        {
            new CircuitBreakers.Types.Thresholds
            {
                MaxConnections = uint.MaxValue,
                MaxPendingRequests = uint.MaxValue,
                MaxRequests = uint.MaxValue,
                MaxRetries = uint.MaxValue,
                TrackRemaining = true,
            },
        },
    };

    /// <summary>Lets tools (and stats) map a cluster back to its Kubernetes service.</summary>
    private static Metadata IstioServiceMetadata(MeshService service, MeshServicePort port)
    {
        var serviceEntry = new Struct();
        serviceEntry.Fields["host"] = Value.ForString(service.Hostname);
        serviceEntry.Fields["name"] = Value.ForString(service.Key.Name);
        serviceEntry.Fields["namespace"] = Value.ForString(service.Key.Namespace);
        var istio = new Struct();
        istio.Fields["default_original_port"] = Value.ForNumber(port.Port);
        istio.Fields["services"] = Value.ForList(Value.ForStruct(serviceEntry));
        return new Metadata { FilterMetadata = { ["istio"] = istio } };
    }
}
