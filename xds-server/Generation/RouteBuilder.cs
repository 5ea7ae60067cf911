using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Routing;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// The building blocks of RDS resources: a service's domains, its default route, the allow_any
/// catch-all. <see cref="Routing.OutboundRoutes"/> assembles them, with the VirtualServices' routes,
/// into route configurations.
/// </summary>
public static class RouteBuilder
{
    private const string DefaultClusterDomain = "cluster.local";

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

    /// <summary>The route of a service no VirtualService claims: everything to <paramref name="cluster"/>, with Istio's default retries.</summary>
    public static Route DefaultRoute(string cluster) => new()
    {
        Name = "default",
        Match = RouteMatches.CatchAll(),
        Route_ = new RouteAction
        {
            Cluster = cluster,
            // No timeout: long-lived streams (gRPC, websockets) are the application's to end.
            Timeout = Duration.FromTimeSpan(TimeSpan.Zero),
            MaxStreamDuration = UnlimitedStreamDuration(),
            RetryPolicy = RetryPolicies.Default(),
        },
    };

    /// <summary>Streams last as long as the application wants, whatever grpc-timeout headers say.</summary>
    public static RouteAction.Types.MaxStreamDuration UnlimitedStreamDuration() => new()
    {
        MaxStreamDuration_ = Duration.FromTimeSpan(TimeSpan.Zero),
        GrpcTimeoutHeaderMax = Duration.FromTimeSpan(TimeSpan.Zero),
    };

    /// <summary>Istio's outboundTrafficPolicy ALLOW_ANY: unknown hosts pass through to where they were going.</summary>
    public static VirtualHost AllowAny() => new()
    {
        Name = "allow_any",
        Domains = { "*" },
        IncludeRequestAttemptCount = true,
        Routes =
        {
            new Route
            {
                Name = "allow_any",
                Match = RouteMatches.CatchAll(),
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
