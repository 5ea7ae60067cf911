using ControlPlane.Mesh.Model;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds RDS resources: one route configuration per outbound HTTP port (and per sniffed service port), a virtual host per service.</summary>
public static class RouteBuilder
{
    /// <summary>Istio's default: retry what certainly did not reach the application, twice, on another host.</summary>
    private const string DefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    /// <param name="services">Services with an HTTP or sniffed port numbered <paramref name="port"/>, in hostname order.</param>
    /// <param name="proxyNamespace">Short names (reviews, reviews.ns) resolve relative to the proxy's namespace.</param>
    public static RouteConfiguration Outbound(int port, IEnumerable<MeshService> services, string proxyNamespace)
    {
        var config = new RouteConfiguration
        {
            Name = MeshNames.OutboundRoute(port),
            ValidateClusters = false,
        };
        foreach (var service in services)
        {
            config.VirtualHosts.Add(ServiceVirtualHost(service, port, proxyNamespace));
        }

        config.VirtualHosts.Add(AllowAny());
        return config;
    }

    /// <summary>
    /// The route of a sniffed port's listener bound to one address (<c>HOST:PORT</c>): only that
    /// service's virtual host, and no catch-all, as istiod 1.10 builds it.
    /// </summary>
    public static RouteConfiguration Sniffed(MeshService service, int port, string proxyNamespace) => new()
    {
        Name = MeshNames.SniffedRoute(service.Hostname, port),
        ValidateClusters = false,
        VirtualHosts = { ServiceVirtualHost(service, port, proxyNamespace) },
    };

    public static VirtualHost ServiceVirtualHost(MeshService service, int port, string proxyNamespace)
    {
        var host = new VirtualHost { Name = MeshNames.VirtualHost(service.Hostname, port), IncludeRequestAttemptCount = true };
        host.Domains.AddRange(Domains(service, port, proxyNamespace));
        host.Routes.Add(DefaultRoute(MeshNames.OutboundCluster(port, service.Hostname)));
        return host;
    }

    /// <summary>
    /// Every name a client in <paramref name="proxyNamespace"/> may use for the service, with and
    /// without the port, in istiod's order: the host name, the short names, for a headless service
    /// the same with "*." in front, then the VIP (bracketed when IPv6).
    /// </summary>
    public static IEnumerable<string> Domains(MeshService service, int port, string proxyNamespace)
    {
        var names = new List<string> { service.Hostname };
        var name = service.Key.Name;
        var ns = service.Key.Namespace;
        if (ns == proxyNamespace)
        {
            names.Add(name);
            names.Add($"{name}.{ns}.svc");
            names.Add($"{name}.{ns}");
        }
        else
        {
            names.Add($"{name}.{ns}");
            names.Add($"{name}.{ns}.svc");
        }

        var domains = names.SelectMany(n => new[] { n, $"{n}:{port}" }).ToList();

        // Clients of a headless service address its pods by name (pod.service.ns...): istiod adds wildcards.
        if (service.Resolution == MeshResolution.Passthrough)
        {
            domains.AddRange(domains.Select(d => $"*.{d}").ToList());
        }

        if (service.ClusterIp is not null)
        {
            // A Host header carries an IPv6 literal in brackets (RFC 3986), as istiod does from 1.12 on;
            // istiod 1.10 left IPv6 VIPs out of the domains altogether.
            var ip = service.ClusterIp.Contains(':', StringComparison.Ordinal) ? $"[{service.ClusterIp}]" : service.ClusterIp;
            domains.Add(ip);
            domains.Add($"{ip}:{port}");
        }

        return domains;
    }

    public static Route DefaultRoute(string cluster) => new()
    {
        Name = "default",
        Match = new RouteMatch { Prefix = "/" },
        Route_ = new RouteAction
        {
            Cluster = cluster,
            // No timeout: long-lived streams (gRPC, websockets) are the application's to end.
            Timeout = Duration.FromTimeSpan(TimeSpan.Zero),
            MaxStreamDuration = UnlimitedStreamDuration(),
            RetryPolicy = DefaultRetryPolicy(),
        },
    };

    /// <summary>Streams last as long as the application wants, whatever grpc-timeout headers say.</summary>
    public static RouteAction.Types.MaxStreamDuration UnlimitedStreamDuration() => new()
    {
        MaxStreamDuration_ = Duration.FromTimeSpan(TimeSpan.Zero),
        GrpcTimeoutHeaderMax = Duration.FromTimeSpan(TimeSpan.Zero),
    };

    private static RetryPolicy DefaultRetryPolicy() => new()
    {
        RetryOn = DefaultRetryOn,
        NumRetries = 2,
        RetryHostPredicate =
        {
            new RetryPolicy.Types.RetryHostPredicate
            {
                Name = "envoy.retry_host_predicates.previous_hosts",
                TypedConfig = Any.Pack(new PreviousHostsPredicate()),
            },
        },
        HostSelectionRetryMaxAttempts = 5,
        RetriableStatusCodes = { 503 },
    };

    /// <summary>Istio's outboundTrafficPolicy ALLOW_ANY: unknown hosts pass through to where they were going.</summary>
    private static VirtualHost AllowAny() => new()
    {
        Name = "allow_any",
        Domains = { "*" },
        IncludeRequestAttemptCount = true,
        Routes =
        {
            new Route
            {
                Name = "allow_any",
                Match = new RouteMatch { Prefix = "/" },
                Route_ = new RouteAction
                {
                    Cluster = MeshNames.PassthroughCluster,
                    Timeout = Duration.FromTimeSpan(TimeSpan.Zero),
                    MaxStreamDuration = UnlimitedStreamDuration(),
                },
            },
        },
    };
}
