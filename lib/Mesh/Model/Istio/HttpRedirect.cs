namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Answers a request with a redirect.</summary>
/// <param name="Uri">Replaces the path.</param>
/// <param name="Authority">Replaces the authority.</param>
/// <param name="RedirectCode">3xx; 0 when unset (Envoy's default, 301).</param>
public sealed record HttpRedirect(
    string? Uri,
    string? Authority,
    uint RedirectCode);
