using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// One service of the registry, as istiod 1.10's <c>model.Service</c>: a Kubernetes Service, or
/// one host (and address) of a ServiceEntry. Generation builds clusters, endpoints, listeners and
/// routes from these alone, whichever kind defined them. Instances are made by
/// <see cref="ServiceIndex"/> and are the same instance for as long as the defining object is, so
/// generation memoizes by them.
/// </summary>
/// <param name="Hostname">Fully qualified for Kubernetes Services; a ServiceEntry host as written (istiod 1.10 does not complete short ones), possibly a wildcard.</param>
/// <param name="Namespace">The namespace of the defining object: DestinationRules are looked up there second.</param>
/// <param name="Service">The Kubernetes Service; null for a ServiceEntry host.</param>
/// <param name="ServiceEntry">The ServiceEntry; null for a Kubernetes Service.</param>
/// <param name="ExportTo">Where it is visible: "*", "." / its namespace, "~" (no one), or namespaces; empty means everywhere (the mesh default).</param>
public sealed record HostService(string Hostname, string Namespace, MeshService? Service, MeshServiceEntry? ServiceEntry, ValueList<string> ExportTo)
{
    /// <summary>istiod's <c>Attributes.Name</c>: the Service's name, or for a ServiceEntry the host itself (as cluster metadata reports it).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The service's address: a Kubernetes ClusterIP, or a ServiceEntry address (an IP, or a CIDR
    /// such as 10.1.0.0/16; a /32 or /128 is reduced to its IP). Null when it has none (istiod's
    /// 0.0.0.0): headless and ExternalName services, ServiceEntries without addresses.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>The ports, with Istio's protocols; ServiceEntry ports keep their targetPort (as a number) when set.</summary>
    public required ImmutableArray<MeshServicePort> Ports { get; init; }

    /// <summary>How proxies reach it: EDS (ClusterIP services, STATIC entries), DNS (ExternalName services, DNS entries) or passthrough (headless services, NONE entries).</summary>
    public MeshResolution Resolution { get; init; }

    /// <summary>Outside the mesh (MESH_EXTERNAL entries, ExternalName services): istiod gives such services no automatic mutual TLS.</summary>
    public bool MeshExternal { get; init; }

    /// <summary>The DNS name an ExternalName Service stands for; null otherwise.</summary>
    public string? ExternalName => Service?.ExternalName;

    /// <summary>Defined by a Kubernetes Service (istiod's Kubernetes registry) rather than a ServiceEntry.</summary>
    public bool IsKubernetes => Service is not null;

    /// <summary>True when <see cref="Address"/> is a single IP (not a CIDR): a listener can bind it and a Host header can name it.</summary>
    public bool HasSingleAddress => Address is not null && !Address.Contains('/', StringComparison.Ordinal);

    /// <summary>Whether a proxy in <paramref name="proxyNamespace"/> sees it (istiod's IsServiceVisible with the default exportTo "*").</summary>
    public bool IsVisibleTo(string proxyNamespace) =>
        ExportTo.IsEmpty || ExportTo.Contains("*") || ExportTo.Contains(proxyNamespace) || (ExportTo.Contains(".") && Namespace == proxyNamespace);

    /// <summary>The port numbered <paramref name="port"/>, or null.</summary>
    public MeshServicePort? FindPort(int port)
    {
        foreach (var candidate in Ports)
        {
            if (candidate.Port == port)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A Kubernetes Service as istiod 1.10's kube.ConvertService sees it.</summary>
    public static HostService Of(MeshService service) => new(service.Hostname, service.Key.Namespace, service, null, ValueList<string>.Empty)
    {
        Name = service.Key.Name,
        Address = service.ClusterIp,
        Ports = service.Ports,
        Resolution = service.Resolution,
        MeshExternal = service.Type == MeshServiceType.ExternalName,
    };

    // Identity is what generation memoizes by; two equal-looking services from different objects are different inputs.
    public bool Equals(HostService? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
