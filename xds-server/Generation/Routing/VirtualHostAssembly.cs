using ControlPlane.Mesh.Istio;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Route.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// How istiod 1.10 (buildSidecarOutboundVirtualHosts) sorts a port's VirtualService hosts into
/// services and plain host names, and turns its wrappers into virtual hosts: a name already taken is
/// dropped, a domain already taken is removed (so is a short name that is the full name of another
/// host there), and the virtual hosts are sorted by name.
/// </summary>
internal static class VirtualHostAssembly
{
    /// <summary>
    /// istiod's separateVSHostsAndServices: exact hosts found among <paramref name="services"/>
    /// (those with the port, by host name), then the services each wildcard host covers; hosts
    /// answering to none stay host names.
    /// </summary>
    public static (List<string> Hosts, List<HostService> Services) Separate(ResolvedVirtualService vs, IReadOnlyDictionary<string, HostService> services)
    {
        var hosts = new List<string>();
        var found = new List<HostService>();
        var wildcards = new List<string>();
        foreach (var host in vs.Spec.Hosts)
        {
            if (HostName.IsWildcard(host))
            {
                wildcards.Add(host);
            }
            else if (services.TryGetValue(host, out var service))
            {
                found.Add(service);
            }
            else
            {
                hosts.Add(host);
            }
        }

        foreach (var wildcard in wildcards)
        {
            // istiod walks a Go map here; ours is by host name.
            var covered = services.Values.Where(s => HostName.Matches(s.Hostname, wildcard)).OrderBy(s => s.Hostname, StringComparer.Ordinal).ToList();
            if (covered.Count == 0)
            {
                hosts.Add(wildcard);
            }

            found.AddRange(covered);
        }

        return (hosts, found);
    }

    /// <param name="clusterDomain">The proxy's DNS domain is NAMESPACE.svc.CLUSTER_DOMAIN: it decides a service's short names (see <see cref="RouteBuilder.Domains"/>).</param>
    /// <param name="build">Builds (or finds memoized) the virtual host of a name, its domains, its source (service or host name) and routes.</param>
    public static List<VirtualHost> Assemble(int port, string proxyNamespace, string clusterDomain, List<VirtualHostWrapper> wrappers, Func<string, List<string>, object, Route[], VirtualHost> build)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var known = wrappers.SelectMany(w => w.Services).SelectMany(s => new[] { s.Hostname, MeshNames.VirtualHost(s.Hostname, port) }).ToHashSet(StringComparer.Ordinal);
        var result = new List<VirtualHost>();
        foreach (var wrapper in wrappers)
        {
            foreach (var host in wrapper.Hosts)
            {
                var name = MeshNames.VirtualHost(host, port);
                if (!names.Add(name))
                {
                    continue;
                }

                var domains = new[] { host, name }.Where(used.Add).ToList();
                if (domains.Count > 0)
                {
                    var built = build(name, [host, name], host, wrapper.Routes);
                    result.Add(domains.Count == 2 ? built : WithDomains(built, domains));
                }
            }

            foreach (var service in wrapper.Services)
            {
                var name = MeshNames.VirtualHost(service.Hostname, port);
                if (!names.Add(name))
                {
                    continue;
                }

                var (all, shortNames) = RouteBuilder.Domains(service, port, proxyNamespace, clusterDomain);
                var alternatives = shortNames.ToHashSet(StringComparer.Ordinal);

                // A short name that is also the full name of another host there stays that host's.
                var domains = all.Where(d => !(alternatives.Contains(d) && known.Contains(d)) && used.Add(d)).ToList();
                if (domains.Count > 0)
                {
                    var built = build(name, all, service, wrapper.Routes);
                    result.Add(domains.Count == all.Count ? built : WithDomains(built, domains));
                }
            }
        }

        // Stable, as Go's sort.SliceStable.
        return result.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
    }

    private static VirtualHost WithDomains(VirtualHost host, List<string> domains)
    {
        var copy = host.Clone();
        copy.Domains.Clear();
        copy.Domains.AddRange(domains);
        return copy;
    }
}
