namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Retry policy of an HTTP rule.</summary>
/// <param name="Attempts">Retries allowed; 0 disables retries.</param>
/// <param name="RetryOn">Comma-separated Envoy retry conditions or HTTP status codes, e.g. 5xx,connect-failure.</param>
public sealed record HttpRetry(
    int Attempts,
    TimeSpan? PerTryTimeout,
    string? RetryOn,
    bool? RetryRemoteLocalities);
