using ControlPlane.XdsServer.Sources;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Whether the server may hand out config: once every source has synced and the config they
/// loaded is published. Until then ADS streams are refused with UNAVAILABLE, as istiod refuses them
/// until its caches are synced, so that a proxy reconnecting to a restarted server never receives an
/// empty or partial mesh (it keeps its config and retries). Once ready it stays ready: a source that
/// fails later keeps its last good objects served, and taking every replica out of its Service
/// because the API server is away would only cut proxies off from that config.
/// </summary>
public sealed class ServingReadiness
{
    private readonly IEnumerable<ISourceReadiness> _sources;
    private readonly PushDebouncer _debouncer;
    private volatile bool _ready;

    public ServingReadiness(IEnumerable<ISourceReadiness> sources, PushDebouncer debouncer)
    {
        _sources = sources;
        _debouncer = debouncer;
    }

    public bool IsReady => _ready || Check() is null;

    /// <summary>Null once ready; otherwise what the server is waiting for, for /healthz/ready and refused streams.</summary>
    public string? Check()
    {
        if (_ready)
        {
            return null;
        }

        var waiting = _sources.Where(s => !s.IsSynced).Select(s => s.Name).ToList();
        if (waiting.Count > 0)
        {
            return $"waiting for {string.Join(", ", waiting)}";
        }

        if (_debouncer.HasPending)
        {
            return "initial config not yet published";
        }

        _ready = true;
        return null;
    }
}
