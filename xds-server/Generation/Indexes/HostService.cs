using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// A host name of the service registry and what defines it: a Kubernetes Service, or a
/// ServiceEntry host (istiod's model.Service, which both convert to). Turning a ServiceEntry into
/// ports, endpoints and resolution is left to its translation: here it only claims its hosts.
/// </summary>
/// <param name="Hostname">Fully qualified (short ServiceEntry hosts resolved in its namespace), or a wildcard.</param>
/// <param name="Namespace">The namespace of the defining object: DestinationRules are looked up there second.</param>
/// <param name="Service">The Kubernetes Service; null for a ServiceEntry host.</param>
/// <param name="ServiceEntry">The ServiceEntry; null for a Kubernetes Service.</param>
/// <param name="ExportTo">Where it is visible: "*", "." / its namespace, "~" (no one), or namespaces; empty means everywhere (the mesh default).</param>
public sealed record HostService(string Hostname, string Namespace, MeshService? Service, MeshServiceEntry? ServiceEntry, ValueList<string> ExportTo)
{
    /// <summary>Whether a proxy in <paramref name="proxyNamespace"/> sees it (istiod's IsServiceVisible with the default exportTo "*").</summary>
    public bool IsVisibleTo(string proxyNamespace) =>
        ExportTo.IsEmpty || ExportTo.Contains("*") || ExportTo.Contains(proxyNamespace) || (ExportTo.Contains(".") && Namespace == proxyNamespace);
}
