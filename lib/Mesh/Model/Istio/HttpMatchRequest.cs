namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Conditions on an HTTP request; all set conditions must hold (AND).</summary>
/// <param name="Headers">Header name to match; keys as written.</param>
/// <param name="Port">0 when unset.</param>
/// <param name="SourceLabels">Labels the client workload must have.</param>
/// <param name="Gateways">Restricts this match to these gateways (names as in <see cref="VirtualService.Gateways"/>).</param>
/// <param name="QueryParams">Only exact and regex are meaningful here, as in Istio.</param>
/// <param name="WithoutHeaders">Headers that must not match.</param>
public sealed record HttpMatchRequest(
    string? Name,
    StringMatch? Uri,
    StringMatch? Scheme,
    StringMatch? Method,
    StringMatch? Authority,
    ValueMap<StringMatch> Headers,
    uint Port,
    ValueMap<string> SourceLabels,
    ValueList<string> Gateways,
    ValueMap<StringMatch> QueryParams,
    bool IgnoreUriCase,
    ValueMap<StringMatch> WithoutHeaders,
    string? SourceNamespace);
