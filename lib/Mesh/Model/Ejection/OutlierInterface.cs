using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Model.Ejection;

/// <summary>One interface of a host: the requests it is made of and how its failing endpoints are ejected.</summary>
/// <param name="Name">A DNS-1123 label, unique in its object; the last field of the interface's cluster names.</param>
/// <param name="Match">
/// An Istio HTTPMatchRequest (uri, method, headers, queryParams, authority, scheme, withoutHeaders,
/// ignoreUriCase); port, sourceLabels, sourceNamespace and gateways are refused by the parser.
/// </param>
public sealed record OutlierInterface(
    string Name,
    HttpMatchRequest Match,
    InterfaceOutlierSettings OutlierDetection);
