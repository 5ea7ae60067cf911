using ControlPlane.Mesh.Model;
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
    /// <summary>
    /// Every name a client in <paramref name="proxyNamespace"/> may use for the service, with and
    /// without the port, in istiod's order: the host name, the short names, for a headless service
    /// the same with "*." in front, then the VIP (bracketed when IPv6).
    /// </summary>
    public static IEnumerable<string> Domains(MeshService service, int port, string proxyNamespace)
    {
        var domains = new List<string> { service.Hostname, $"{service.Hostname}:{port}" };
        domains.AddRange(AltHosts(service, port, proxyNamespace));

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

    /// <summary>
    /// The short names of the service for a client in <paramref name="proxyNamespace"/>, with and
    /// without the port (istiod's generateAltVirtualHosts for a Kubernetes proxy domain): name,
    /// name.ns.svc and name.ns in its own namespace; name.ns and name.ns.svc elsewhere.
    /// </summary>
    public static IEnumerable<string> AltHosts(MeshService service, int port, string proxyNamespace)
    {
        var name = service.Key.Name;
        var ns = service.Key.Namespace;
        var names = ns == proxyNamespace
            ? new[] { name, $"{name}.{ns}.svc", $"{name}.{ns}" }
            : new[] { $"{name}.{ns}", $"{name}.{ns}.svc" };
        return names.SelectMany(n => new[] { n, $"{n}:{port}" });
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
