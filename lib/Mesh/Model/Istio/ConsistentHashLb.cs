namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Session affinity by a hash of the request; the hash key oneof holds at most one of the four.</summary>
/// <param name="MinimumRingSize">0 when unset.</param>
public sealed record ConsistentHashLb(
    string? HttpHeaderName,
    HttpCookie? HttpCookie,
    bool UseSourceIp,
    string? HttpQueryParameterName,
    ulong MinimumRingSize);
