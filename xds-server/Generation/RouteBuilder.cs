using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Builds RDS resources: one route configuration per outbound HTTP port (and per sniffed service port), a virtual host per service.</summary>
public static class RouteBuilder
{
    /// <summary>Istio's default: retry what certainly did not reach the application, twice, on another host.</summary>
    private const string DefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    private const string DefaultClusterDomain = "cluster.local";

    /// <param name="services">
    /// The service ports numbered <paramref name="port"/> that proxies see, in scope order. As in
    /// istiod, a host name's last definition with the port stands for it, and gets a virtual host
    /// when that port is HTTP or sniffed.
    /// </param>
    /// <param name="proxyNamespace">Short names (reviews, reviews.ns) resolve relative to the proxy's namespace.</param>
    /// <param name="clusterDomain">The proxy's DNS domain is NAMESPACE.svc.CLUSTER_DOMAIN.</param>
    public static RouteConfiguration Outbound(int port, IEnumerable<(HostService Service, MeshServicePort Port)> services, string proxyNamespace, string clusterDomain = DefaultClusterDomain)
    {
        var config = new RouteConfiguration
        {
            Name = MeshNames.OutboundRoute(port),
            ValidateClusters = false,
        };
        config.VirtualHosts.AddRange(VirtualHosts(port, services, proxyNamespace, clusterDomain));
        config.VirtualHosts.Add(AllowAny());
        return config;
    }

    /// <summary>
    /// The route of a sniffed port's listener bound to one address (<c>HOST:PORT</c>): only that
    /// service's virtual host, and no catch-all, as istiod 1.10 builds it.
    /// </summary>
    public static RouteConfiguration Sniffed(HostService service, int port, string proxyNamespace, string clusterDomain = DefaultClusterDomain) => new()
    {
        Name = MeshNames.SniffedRoute(service.Hostname, port),
        ValidateClusters = false,
        VirtualHosts = { ServiceVirtualHost(service, port, Domains(service, port, proxyNamespace, clusterDomain).Domains) },
    };

    public static VirtualHost ServiceVirtualHost(HostService service, int port, IEnumerable<string> domains)
    {
        var host = new VirtualHost { Name = MeshNames.VirtualHost(service.Hostname, port), IncludeRequestAttemptCount = true };
        host.Domains.AddRange(domains);
        host.Routes.Add(DefaultRoute(MeshNames.OutboundCluster(port, service.Hostname)));
        return host;
    }

    /// <summary>
    /// A virtual host per service, in name order, each with the domains no earlier one took
    /// (istiod's dedupeDomains: a short name that is also a service's full name stays that
    /// service's); a virtual host left without domains, or with a name already used, is dropped.
    /// </summary>
    private static IEnumerable<VirtualHost> VirtualHosts(int port, IEnumerable<(HostService Service, MeshServicePort Port)> services, string proxyNamespace, string clusterDomain)
    {
        var byHost = new Dictionary<string, (HostService Service, MeshServicePort Port)>(StringComparer.Ordinal);
        foreach (var entry in services)
        {
            byHost[entry.Service.Hostname] = entry;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hostname in byHost.Keys)
        {
            known.Add(hostname);
            known.Add(MeshNames.VirtualHost(hostname, port));
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (service, servicePort) in byHost.Values.OrderBy(e => MeshNames.VirtualHost(e.Service.Hostname, port), StringComparer.Ordinal))
        {
            if (servicePort.Protocol.ForListener() is not (ListenerProtocol.Http or ListenerProtocol.Auto))
            {
                continue;
            }

            var (domains, alternatives) = Domains(service, port, proxyNamespace, clusterDomain);
            var kept = domains.Where(d => !(alternatives.Contains(d) && known.Contains(d)) && taken.Add(d)).ToList();
            if (kept.Count > 0)
            {
                yield return ServiceVirtualHost(service, port, kept);
            }
        }
    }

    /// <summary>
    /// Every name a client in <paramref name="proxyNamespace"/> may use for the service, with and
    /// without the port, in istiod's order (generateVirtualHostDomains): the host name, then the
    /// shorter forms the proxy's DNS domain lets it use, for a headless Kubernetes service the same
    /// with "*." in front, then the address when it is one IP (bracketed when IPv6).
    /// </summary>
    /// <returns>The domains, and which of them are shortened forms (istiod's altHosts).</returns>
    public static (List<string> Domains, List<string> Alternatives) Domains(HostService service, int port, string proxyNamespace, string clusterDomain = DefaultClusterDomain)
    {
        var alternatives = AlternativeNames(service.Hostname, port, $"{proxyNamespace}.svc.{clusterDomain}");
        var domains = new List<string> { service.Hostname, MeshNames.VirtualHost(service.Hostname, port) };
        domains.AddRange(alternatives);

        // Clients of a headless service address its pods by name (pod.service.ns...): istiod adds wildcards.
        if (service.Resolution == MeshResolution.Passthrough && service.IsKubernetes)
        {
            domains.AddRange(domains.Select(d => $"*.{d}").ToList());
        }

        if (service.HasSingleAddress)
        {
            // A Host header carries an IPv6 literal in brackets (RFC 3986), as istiod does from 1.12 on;
            // istiod 1.10 left IPv6 VIPs out of the domains altogether.
            var ip = service.Address!.Contains(':', StringComparison.Ordinal) ? $"[{service.Address}]" : service.Address!;
            domains.Add(ip);
            domains.Add($"{ip}:{port}");
        }

        return (domains, alternatives);
    }

    /// <summary>
    /// istiod 1.10's generateAltVirtualHosts: the shorter names <paramref name="hostname"/> goes by
    /// from a proxy whose DNS domain is <paramref name="proxyDomain"/> (NAMESPACE.svc.DOMAIN), with
    /// and without the port: "name", "name.ns.svc", "name.ns" in the same namespace; "name.ns",
    /// "name.ns.svc" from another; none for a name sharing no suffix with the proxy's domain.
    /// </summary>
    private static List<string> AlternativeNames(string hostname, int port, string proxyDomain)
    {
        var names = new List<string>();
        var (unique, shared) = UniqueAndSharedDomain(hostname, proxyDomain);
        if (shared.Length == 0)
        {
            return names;
        }

        void Add(string name)
        {
            names.Add(name);
            names.Add(MeshNames.VirtualHost(name, port));
        }

        var sharedParts = shared.Split('.');
        if (unique.Split('.').Length == 2)
        {
            // The unique part already names the namespace.
            Add(unique);
            Add($"{unique}.{sharedParts[0]}");
        }
        else if (proxyDomain.Contains(".svc.", StringComparison.Ordinal))
        {
            var ns = sharedParts[0];
            if (proxyDomain.StartsWith($"{ns}.svc.", StringComparison.Ordinal))
            {
                Add(unique);
                if (sharedParts.Length > 1)
                {
                    Add($"{unique}.{ns}.{sharedParts[1]}");
                }

                if (hostname != $"{unique}.{ns}")
                {
                    Add($"{unique}.{ns}");
                }
            }
        }
        else
        {
            Add(unique);
        }

        return names;
    }

    /// <summary>istiod's getUniqueAndSharedDNSDomain: the labels the host name does not share with the proxy's domain, and the suffix it does.</summary>
    private static (string Unique, string Shared) UniqueAndSharedDomain(string hostname, string proxyDomain)
    {
        var host = hostname.Split('.');
        var domain = proxyDomain.Split('.');
        var shared = 0;
        while (shared < Math.Min(host.Length, domain.Length) && host[^(shared + 1)] == domain[^(shared + 1)])
        {
            shared++;
        }

        return shared == 0
            ? (hostname, string.Empty)
            : (string.Join('.', host[..^shared]), string.Join('.', host[^shared..]));
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
