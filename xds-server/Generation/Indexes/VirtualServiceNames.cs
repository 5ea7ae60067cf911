using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>istiod 1.10's resolveVirtualServiceShortnames and resolveGatewayName.</summary>
public static class VirtualServiceNames
{
    /// <summary>The reserved gateway name of sidecars.</summary>
    public const string MeshGateway = "mesh";

    /// <summary>
    /// A gateway reference as namespace/name: "name" is in <paramref name="objectNamespace"/>,
    /// "./name" too, a legacy "name.ns(.svc...)" is ns/name, "mesh" and "ns/name" stay.
    /// </summary>
    public static string ResolveGateway(string gateway, string objectNamespace)
    {
        if (gateway == MeshGateway)
        {
            return gateway;
        }

        var slash = gateway.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return gateway[..slash] == "." ? $"{objectNamespace}/{gateway[(slash + 1)..]}" : gateway;
        }

        var dot = gateway.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return $"{objectNamespace}/{gateway}";
        }

        var rest = gateway[(dot + 1)..];
        var next = rest.IndexOf('.', StringComparison.Ordinal);
        return $"{(next < 0 ? rest : rest[..next])}/{gateway[..dot]}";
    }

    /// <summary>The spec with every short name resolved in <paramref name="objectNamespace"/>.</summary>
    public static VirtualService Resolve(VirtualService spec, string objectNamespace, string clusterDomain)
    {
        string Host(string host) => HostName.ResolveShortName(host, objectNamespace, clusterDomain);
        ValueList<string> Gateways(ValueList<string> gateways) => ValueList<string>.From(gateways.Select(g => ResolveGateway(g, objectNamespace)));
        Destination Dest(Destination d) => d with { Host = Host(d.Host) };

        return spec with
        {
            Hosts = ValueList<string>.From(spec.Hosts.Select(Host)),
            Gateways = Gateways(spec.Gateways),
            Http = ValueList<HttpRoute>.From(spec.Http.Select(route => route with
            {
                Match = ValueList<HttpMatchRequest>.From(route.Match.Select(m => m with { Gateways = Gateways(m.Gateways) })),
                Route = ValueList<HttpRouteDestination>.From(route.Route.Select(d => d with { Destination = Dest(d.Destination) })),
                Mirror = route.Mirror is null ? null : Dest(route.Mirror),
            })),
            Tcp = ValueList<TcpRoute>.From(spec.Tcp.Select(route => route with
            {
                Match = ValueList<L4MatchAttributes>.From(route.Match.Select(m => m with { Gateways = Gateways(m.Gateways) })),
                Route = ValueList<RouteDestination>.From(route.Route.Select(d => d with { Destination = Dest(d.Destination) })),
            })),
            Tls = ValueList<TlsRoute>.From(spec.Tls.Select(route => route with
            {
                Match = ValueList<TlsMatchAttributes>.From(route.Match.Select(m => m with { Gateways = Gateways(m.Gateways) })),
                Route = ValueList<RouteDestination>.From(route.Route.Select(d => d with { Destination = Dest(d.Destination) })),
            })),
        };
    }
}
