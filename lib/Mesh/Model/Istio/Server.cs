namespace ControlPlane.Mesh.Model.Istio;

/// <summary>One listening port of a Gateway, with the hosts it serves.</summary>
/// <param name="Bind">An IP or unix:// path to bind to.</param>
/// <param name="Hosts">ns/host or host; wildcards allowed.</param>
public sealed record Server(
    Port Port,
    string? Bind,
    ValueList<string> Hosts,
    ServerTlsSettings? Tls,
    string? DefaultEndpoint,
    string? Name);
