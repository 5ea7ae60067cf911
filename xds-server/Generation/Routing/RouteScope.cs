using System.Collections.Immutable;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// What of a sidecar's view its routes (and TCP/TLS routing chains) depend on: its namespace (which
/// VirtualServices and DestinationRules it sees, sourceNamespace), its labels as far as sourceLabels
/// name them, and its data plane. Evaluates the match conditions istiod 1.10 evaluates while
/// generating (sourceMatchHTTP, matchTCP, matchTLS) rather than leaving them to the proxy.
/// </summary>
/// <param name="Namespace">The proxy's namespace.</param>
/// <param name="Labels">The proxy's labels that some sourceLabels names (see <see cref="ProxyView.SourceLabels"/>).</param>
public sealed record RouteScope(string Namespace, ImmutableSortedDictionary<string, string> Labels, ProxyFlavor Flavor)
{
    /// <summary>The gateway name of sidecars, as match gateways name it.</summary>
    private const string MeshGateway = "mesh";

    /// <summary>The scope of a sidecar with <paramref name="view"/>.</summary>
    public static RouteScope Of(ProxyView view) => new(view.Namespace, view.Labels, view.Flavor);

    /// <summary>A key naming this scope in memo keys: namespace, labels and flavor.</summary>
    public string Key { get; } = $"{Namespace}|{string.Join(',', Labels.Select(l => $"{l.Key}={l.Value}"))}|{Flavor}";

    /// <summary>
    /// Which of <paramref name="vs"/>'s HTTP matches select this scope, one character per match in
    /// order ('1' selects, '0' does not): with the port, all a VirtualService's routes depend on of
    /// the proxy, so proxies agreeing on it share routes.
    /// </summary>
    public string Selections(ResolvedVirtualService vs)
    {
        var selections = new System.Text.StringBuilder();
        foreach (var rule in vs.Spec.Http)
        {
            foreach (var match in rule.Match)
            {
                selections.Append(Selects(match) ? '1' : '0');
            }
        }

        return selections.ToString();
    }

    /// <summary>
    /// istiod's sourceMatchHTTP: a match naming gateways applies to sidecars when one of them is
    /// <c>mesh</c> (sourceLabels and sourceNamespace then do not count); otherwise when the proxy
    /// has every sourceLabel and sits in the sourceNamespace (if set).
    /// </summary>
    public bool Selects(HttpMatchRequest match)
    {
        if (!match.Gateways.IsEmpty)
        {
            return match.Gateways.Contains(MeshGateway);
        }

        return HasLabels(match.SourceLabels) && (string.IsNullOrEmpty(match.SourceNamespace) || match.SourceNamespace == Namespace);
    }

    /// <summary>istiod's matchTCP: gateways (if any) include <c>mesh</c>, the labels, the port (if set) and the namespace (if set) all hold.</summary>
    public bool Selects(L4MatchAttributes match, int port) =>
        SelectsGateways(match.Gateways) && HasLabels(match.SourceLabels) && (match.Port == 0 || match.Port == port) &&
        (string.IsNullOrEmpty(match.SourceNamespace) || match.SourceNamespace == Namespace);

    /// <summary>istiod's matchTLS: as <see cref="Selects(L4MatchAttributes, int)"/>.</summary>
    public bool Selects(TlsMatchAttributes match, int port) =>
        SelectsGateways(match.Gateways) && HasLabels(match.SourceLabels) && (match.Port == 0 || match.Port == port) &&
        (string.IsNullOrEmpty(match.SourceNamespace) || match.SourceNamespace == Namespace);

    private static bool SelectsGateways(Mesh.Model.ValueList<string> gateways) => gateways.IsEmpty || gateways.Contains(MeshGateway);

    private bool HasLabels(Mesh.Model.ValueMap<string> required) =>
        required.All(l => Labels.TryGetValue(l.Key, out var value) && value == l.Value);
}
