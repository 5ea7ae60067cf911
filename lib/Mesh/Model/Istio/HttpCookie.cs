namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A cookie to hash on, generated with this TTL when absent.</summary>
/// <param name="Ttl">Required.</param>
public sealed record HttpCookie(
    string Name,
    string? Path,
    TimeSpan? Ttl);
