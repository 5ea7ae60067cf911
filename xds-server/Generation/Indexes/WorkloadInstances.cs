using System.Collections.Immutable;
using System.Globalization;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// istiod 1.10's conversions of endpoints into service instances: a ServiceEntry's inline endpoints
/// and selected WorkloadEntries (serviceentry <c>convertEndpoint</c>), its selected Pods
/// (<c>convertWorkloadInstanceToServiceInstance</c>), a DNS entry's own hosts, an ExternalName
/// Service's name, and the WorkloadEntries a Kubernetes Service selects
/// (<c>serviceInstancesFromWorkloadInstances</c>).
/// </summary>
public static class WorkloadInstances
{
    private const string UnixAddressPrefix = "unix://";

    /// <summary>istiod's GetLocalityLabelOrDefault on a pod's istio-locality label: dots stand for slashes unless it has slashes.</summary>
    public static string PodLocality(MeshPod pod) =>
        pod.Labels.TryGetValue(LocalityLabel.PodLabel, out var label) && label.Length > 0
            ? label.Contains('/', StringComparison.Ordinal) ? label : label.Replace('.', '/')
            : string.Empty;

    /// <summary>
    /// The instances of <paramref name="service"/>: for a ServiceEntry host, per port, its inline
    /// endpoints, or for a DNS entry without endpoints and selector the host itself on the port
    /// (its targetPort when set), then <paramref name="entries"/> and <paramref name="pods"/> it
    /// selects; for an ExternalName Service its name on each port; for another Kubernetes Service
    /// the WorkloadEntries it selects, per non-UDP port.
    /// </summary>
    /// <param name="entries">The WorkloadEntries the service selects.</param>
    /// <param name="pods">The Pods it selects (ServiceEntries only).</param>
    public static ImmutableArray<WorkloadInstance> Of(HostService service, IReadOnlyList<MeshWorkloadEntry> entries, IReadOnlyList<MeshPod> pods)
    {
        var instances = ImmutableArray.CreateBuilder<WorkloadInstance>();
        if (service.ServiceEntry is { } entry)
        {
            var spec = entry.Spec;
            foreach (var port in spec.Ports)
            {
                var servicePort = (int)(port.TargetPort > 0 ? port.TargetPort : port.Number);
                if (spec.Resolution == ServiceEntryResolution.Dns && spec.Endpoints.IsEmpty && spec.WorkloadSelector is null)
                {
                    // A DNS entry without endpoints resolves its own host.
                    instances.Add(new WorkloadInstance(service.Hostname, servicePort, port.Name, ValueMap<string>.Empty, string.Empty, 0, null, null, null));
                    continue;
                }

                instances.AddRange(spec.Endpoints.Select(e => FromWorkloadEntry(e, port, null)));
                instances.AddRange(entries.Select(e => FromWorkloadEntry(e.Spec, port, e)));
                instances.AddRange(pods.Select(p => new WorkloadInstance(p.Ips[0], servicePort, port.Name, p.Labels, PodLocality(p), 0, null, null, p)));
            }
        }
        else if (service.Service is { } kubernetes)
        {
            foreach (var port in kubernetes.Ports)
            {
                if (kubernetes.ExternalName is { } externalName && service.Resolution == MeshResolution.DnsLb)
                {
                    // istiod's ExternalNameServiceInstances: the external name, on the service port.
                    instances.Add(new WorkloadInstance(externalName, port.Port, port.Name, ValueMap<string>.Empty, string.Empty, 0, null, null, null));
                    continue;
                }

                if (port.Protocol == MeshProtocol.Udp)
                {
                    continue;
                }

                foreach (var workload in entries)
                {
                    if (KubernetesTargetPort(port, workload.Spec) is { } target)
                    {
                        var spec = workload.Spec;
                        instances.Add(new WorkloadInstance(spec.Address, target, port.Name, spec.Labels, spec.Locality ?? string.Empty, spec.Weight, spec.Network, spec.ServiceAccount, workload));
                    }
                }
            }
        }

        return instances.ToImmutable();
    }

    /// <summary>
    /// istiod's convertEndpoint: a Unix socket has port 0; else the endpoint's port for the
    /// service port's name (the service port when it names none), else the targetPort, else the
    /// service port.
    /// </summary>
    private static WorkloadInstance FromWorkloadEntry(WorkloadEntry endpoint, Port port, MeshObject? source)
    {
        var address = endpoint.Address;
        int endpointPort;
        if (address.StartsWith(UnixAddressPrefix, StringComparison.Ordinal))
        {
            address = address[UnixAddressPrefix.Length..];
            endpointPort = 0;
        }
        else if (!endpoint.Ports.IsEmpty)
        {
            endpointPort = (int)(endpoint.Ports.TryGetValue(port.Name, out var mapped) && mapped > 0 ? mapped : port.Number);
        }
        else
        {
            endpointPort = (int)(port.TargetPort > 0 ? port.TargetPort : port.Number);
        }

        return new WorkloadInstance(address, endpointPort, port.Name, endpoint.Labels, endpoint.Locality ?? string.Empty, endpoint.Weight, endpoint.Network, endpoint.ServiceAccount, source);
    }

    /// <summary>
    /// The port a WorkloadEntry serves a Kubernetes Service port on (istiod's findServiceTargetPort):
    /// a numeric targetPort as is, a named one from the entry's ports (none: the entry is no
    /// endpoint of it), none at all the service port.
    /// </summary>
    private static int? KubernetesTargetPort(MeshServicePort port, WorkloadEntry entry)
    {
        if (port.TargetPort is null)
        {
            return port.Port;
        }

        if (int.TryParse(port.TargetPort, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number > 0 ? number : port.Port;
        }

        return entry.Ports.TryGetValue(port.TargetPort, out var named) && named > 0 ? (int)named : null;
    }
}
