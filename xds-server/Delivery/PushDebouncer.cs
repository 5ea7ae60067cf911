using System.Threading.Channels;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Collects mesh changes until they go quiet (or the maximum wait is reached), then publishes the
/// newest snapshot to the cache once and tells every stream. Bursts of API events become one push.
/// </summary>
/// <remarks>
/// An endpoint-only change that comes after a quiet spell (nothing pending, no push for
/// <see cref="XdsServerOptions.DebounceAfter"/>) is published at once, unless
/// <see cref="XdsServerOptions.DebounceEveryEndpointPush"/>; changes after it within the quiet period
/// are debounced as usual. istiod 1.10 either debounces every EDS push (PILOT_ENABLE_EDS_DEBOUNCE=true,
/// its default) or none; this keeps a lone endpoint change (a pod turning ready) from waiting the quiet
/// period, and a burst (a rollout) still becomes one more push at most. Changes to services or Istio
/// config always wait: objects applied together (a VirtualService and the DestinationRule defining its
/// subsets) should reach proxies in one push.
/// </remarks>
public sealed class PushDebouncer : BackgroundService
{
    private readonly object _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly XdsCache _cache;
    private readonly ConnectionRegistry _registry;
    private readonly XdsServerOptions _options;
    private readonly ILogger<PushDebouncer> _logger;
    private readonly TimeProvider _time;
    private MeshSnapshot? _pendingSnapshot;
    private MeshChange? _pendingChange;
    private DateTimeOffset _firstChangeAt;
    private DateTimeOffset _lastChangeAt;
    private DateTimeOffset _lastPublishAt = DateTimeOffset.MinValue;
    private bool _publishAtOnce;

    public PushDebouncer(MeshObjectStore store, XdsCache cache, ConnectionRegistry registry, IOptions<XdsServerOptions> options, ILogger<PushDebouncer> logger, TimeProvider? time = null)
    {
        _cache = cache;
        _registry = registry;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        store.Subscribe(OnMeshChanged);
    }

    private long _published;

    /// <summary>How many times a snapshot was published.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>True while a change is waiting to be published.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return _pendingChange is not null;
            }
        }
    }

    /// <param name="observedAgo">
    /// How long ago the source saw the change: the quiet period counts from then, so a file source's
    /// settle and read overlap the debounce instead of adding to it (capped at the quiet period).
    /// </param>
    private void OnMeshChanged(MeshSnapshot snapshot, MeshChange change, TimeSpan observedAgo)
    {
        lock (_gate)
        {
            var changedAt = _time.GetUtcNow() - (observedAgo < _options.DebounceAfter ? observedAgo : _options.DebounceAfter);
            // A change reported later may have been seen earlier (a file change after a watch event):
            // the push is dated, and its maximum wait counted, from the earliest.
            var first = _pendingChange is null;
            if (first)
            {
                var now = _time.GetUtcNow();
                _publishAtOnce = !_options.DebounceEveryEndpointPush && change.IsEndpointOnly
                    && (_lastPublishAt == DateTimeOffset.MinValue || now - _lastPublishAt >= _options.DebounceAfter);
            }

            if (first || changedAt < _firstChangeAt)
            {
                _firstChangeAt = changedAt;
            }

            _pendingChange = _pendingChange?.Merge(change) ?? change;
            if (_pendingSnapshot is null || snapshot.Version > _pendingSnapshot.Version)
            {
                _pendingSnapshot = snapshot;
            }

            if (first || changedAt > _lastChangeAt)
            {
                _lastChangeAt = changedAt;
            }
        }

        _signal.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _signal.Reader.WaitToReadAsync(stoppingToken))
        {
            _signal.Reader.TryRead(out _);
            while (true)
            {
                TimeSpan wait;
                (MeshSnapshot Snapshot, MeshChange Change, DateTimeOffset FirstChangeAt) due;
                lock (_gate)
                {
                    if (_pendingChange is null)
                    {
                        break;
                    }

                    // A change to more than endpoints joining a leading push makes it wait like any other.
                    // Deciding and taking the pending change under one lock: a config change arriving
                    // in between cannot ride along on a leading push.
                    _publishAtOnce &= _pendingChange.IsEndpointOnly;
                    var now = _time.GetUtcNow();
                    var quietUntil = _lastChangeAt + _options.DebounceAfter;
                    var deadline = _firstChangeAt + _options.DebounceMax;
                    wait = _publishAtOnce ? TimeSpan.Zero : (quietUntil < deadline ? quietUntil : deadline) - now;
                    due = wait > TimeSpan.Zero ? default : TakePending(now);
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stoppingToken);
                    continue;
                }

                Publish(due.Snapshot, due.Change, due.FirstChangeAt);
            }
        }
    }

    /// <summary>Takes the pending change for publishing; call under <see cref="_gate"/> with a change pending.</summary>
    private (MeshSnapshot Snapshot, MeshChange Change, DateTimeOffset FirstChangeAt) TakePending(DateTimeOffset now)
    {
        var due = (_pendingSnapshot!, _pendingChange!, _firstChangeAt);
        _pendingSnapshot = null;
        _pendingChange = null;
        _publishAtOnce = false;
        _lastPublishAt = now;
        return due;
    }

    private void Publish(MeshSnapshot snapshot, MeshChange change, DateTimeOffset firstChangeAt)
    {
        if (snapshot.Version <= _cache.Current.Mesh.Version)
        {
            return;
        }

        _cache.Publish(snapshot, change, firstChangeAt, () =>
        {
            Interlocked.Increment(ref _published);
            XdsMetrics.Pushes.WithLabels(change.IsEndpointOnly ? "eds" : "full").Inc();
            _logger.LogInformation(
                "Pushing mesh version {MeshVersion} to {ProxyCount} proxies ({PushKind}: {ServiceCount} services, {ConfigCount} Istio objects, {EndpointCount} endpoint sets changed)",
                snapshot.Version, _registry.Count, change.IsEndpointOnly ? "endpoints only" : "full", change.Services.Count, change.Config.Count, change.Endpoints.Count + change.EndpointConfig.Count);
            _registry.PushAll(change);
        });
    }
}
