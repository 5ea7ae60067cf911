namespace ControlPlane.Mesh.Model.Istio;

/// <summary>The spec of a networking.istio.io VirtualService: routing rules for traffic to some hosts.</summary>
/// <remarks>A VirtualService without hosts is a delegate: it only takes effect through a root VirtualService's <see cref="HttpRoute.Delegate"/>.</remarks>
/// <param name="Hosts">Host names as written (short names, FQDNs, wildcards such as *.example.com, or IPs); empty for a delegate VirtualService.</param>
/// <param name="Gateways">Gateway names (ns/name, name, or the reserved <c>mesh</c>); empty means <c>mesh</c> only.</param>
/// <param name="Http">Ordered HTTP rules: the first match wins.</param>
/// <param name="Tls">Ordered rules for unterminated TLS (matched by SNI).</param>
/// <param name="Tcp">Ordered rules for opaque TCP.</param>
/// <param name="ExportTo">Namespaces this VirtualService is visible to: <c>.</c> (its own), <c>*</c> (all), or names; empty means the mesh default (all).</param>
public sealed record VirtualService(
    ValueList<string> Hosts,
    ValueList<string> Gateways,
    ValueList<HttpRoute> Http,
    ValueList<TlsRoute> Tls,
    ValueList<TcpRoute> Tcp,
    ValueList<string> ExportTo);
