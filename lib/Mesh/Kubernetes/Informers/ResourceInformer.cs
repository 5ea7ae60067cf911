using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Mesh.Kubernetes.Informers;

/// <summary>
/// List, then watch from the list's resourceVersion; re-watch from the last seen (or bookmarked)
/// version when a watch ends; relist on 410 Gone and diff against the cache so that unchanged
/// objects cause no event; back off on errors; re-announce everything each resync period.
/// Events reach the handler in order, from this informer's one loop. While the API server cannot be
/// reached nothing is withdrawn: the cache and what the handler was told stay as they were, and
/// <see cref="Failure"/> says why until a list or watch succeeds again.
/// </summary>
public sealed class ResourceInformer<T, TList> : IResourceInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : class, IKubernetesObject, IItems<T>
{
    private readonly ResourceClient<T, TList> _client;
    private readonly Action<InformerEventType, T> _handler;
    private readonly ResourceInformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string? Namespace, string Name), T> _cache = new();
    private const int MaxWatchFailures = 5;
    private volatile bool _synced;
    private volatile string? _failure;
    private string? _version;

    public ResourceInformer(ResourceClient<T, TList> client, Action<InformerEventType, T> handler, ResourceInformerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _client = client;
        _handler = handler;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public string Resource => _client.Resource;

    public bool HasSynced => _synced;

    public string? Failure => _failure;

    public event Action? StatusChanged;

    /// <summary>Number of full lists done, for tests and metrics.</summary>
    public int Lists { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                _version = await ListAsync(cancellationToken);
                backoff = _options.InitialBackoff;
                await WatchUntilGoneAsync(cancellationToken);
                _logger.LogInformation("Watch of {Resource} expired (410 Gone); listing again", Resource);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ReportFailure($"cannot list or watch {Resource}: {Bounded(Describe(e))}");
                _logger.LogWarning("Listing {Resource} failed: {Error}; retrying in {Backoff}", Resource, Describe(e), backoff);
                if (!await DelayAsync(backoff, cancellationToken))
                {
                    return;
                }

                backoff = Next(backoff);
            }
        }
    }

    /// <summary>
    /// Watches from the last version seen, again and again: a watch that ends or breaks is resumed
    /// where it stopped. Returns when the version is gone; after repeated failures it throws, to relist.
    /// </summary>
    private async Task WatchUntilGoneAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.InitialBackoff;
        var failures = 0;
        var resyncAt = _time.GetUtcNow() + _options.ResyncPeriod;
        while (true)
        {
            try
            {
                if (!await WatchAsync(cancellationToken))
                {
                    return;
                }

                failures = 0;
                backoff = _options.InitialBackoff;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && ++failures < MaxWatchFailures)
            {
                // One broken watch is routine (the API server restarts, a connection is reset); failing to resume it is not.
                if (failures > 1)
                {
                    ReportFailure($"cannot watch {Resource}: {Bounded(Describe(e))}");
                }

                _logger.LogInformation("Watch of {Resource} broke ({Error}); resuming from version {ResourceVersion} in {Backoff}", Resource, Describe(e), _version, backoff);
                if (!await DelayAsync(backoff, cancellationToken))
                {
                    return;
                }

                backoff = Next(backoff);
            }

            if (_time.GetUtcNow() >= resyncAt)
            {
                Resync();
                resyncAt = _time.GetUtcNow() + _options.ResyncPeriod;
            }
        }
    }

    /// <summary>Lists everything and reports only what differs from the cache; returns the list's version.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.List(cancellationToken);
        Lists++;
        var seen = new HashSet<(string?, string)>();
        foreach (var item in list.Items)
        {
            var key = Key(item);
            seen.Add(key);
            if (!_cache.TryGetValue(key, out var cached) || cached.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                _cache[key] = item;
                Deliver(InformerEventType.Upserted, item);
            }
        }

        foreach (var (key, gone) in _cache.Where(pair => !seen.Contains(pair.Key)).ToList())
        {
            _cache.Remove(key);
            Deliver(InformerEventType.Deleted, gone);
        }

        if (!_synced)
        {
            _synced = true;
            _logger.LogInformation("Listed {Count} {Resource}; watching from version {ResourceVersion}", list.Items.Count, Resource, ListVersion(list));
            RaiseStatusChanged();
        }

        ReportFailure(null);

        return ListVersion(list);
    }

    /// <summary>Follows one watch from the last version; false when that version is gone and a relist is needed.</summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        Exception? watchError = null;
        var events = _client.Watch(_version!, (int)_options.WatchTimeout.TotalSeconds, e => watchError ??= e, cancellationToken);
        var enumerator = events.GetAsyncEnumerator(cancellationToken);
        // Racing every read against the token makes stopping prompt even for a watch source that
        // only notices cancellation when its next line arrives.
        var stopped = Task.Delay(Timeout.Infinite, cancellationToken);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next = enumerator.MoveNextAsync().AsTask();
                if (await Task.WhenAny(next, stopped) == stopped)
                {
                    _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (!await next)
                {
                    break;
                }

                ReportFailure(null);
                var (type, item) = enumerator.Current;
                switch (type)
                {
                    case WatchEventType.Added:
                    case WatchEventType.Modified:
                        _cache[Key(item)] = item;
                        Deliver(InformerEventType.Upserted, item);
                        break;
                    case WatchEventType.Deleted:
                        _cache.Remove(Key(item));
                        Deliver(InformerEventType.Deleted, item);
                        break;
                    case WatchEventType.Bookmark:
                        break;
                    case WatchEventType.Error:
                        return false;
                }

                // Bookmarks carry no object change, only a newer version to resume from.
                _version = item?.Metadata?.ResourceVersion ?? _version;
            }
        }
        catch (Exception e) when (IsGone(e))
        {
            return false;
        }
        finally
        {
            // An enumerator cannot be disposed while a read is pending; the cancelled request ends that read.
            if (next is null || next.IsCompleted)
            {
                await enumerator.DisposeAsync();
            }
        }

        if (watchError is not null)
        {
            if (IsGone(watchError))
            {
                return false;
            }

            throw watchError;
        }

        // The API server ended the watch as it does on timeout: it is reachable.
        ReportFailure(null);
        return true;
    }

    private void ReportFailure(string? failure)
    {
        if (_failure == failure)
        {
            return;
        }

        _failure = failure;
        RaiseStatusChanged();
    }

    private void RaiseStatusChanged()
    {
        try
        {
            StatusChanged?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Reporting the status of the {Resource} informer failed", Resource);
        }
    }

    /// <summary>API server text as a status may quote it: at most 200 characters.</summary>
    private static string Bounded(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    private void Resync()
    {
        foreach (var item in _cache.Values.ToList())
        {
            Deliver(InformerEventType.Upserted, item);
        }
    }

    private void Deliver(InformerEventType type, T item)
    {
        try
        {
            _handler(type, item);
        }
        catch (Exception e)
        {
            // A handler bug must cost one event, not the watch.
            _logger.LogError(e, "Handling {EventType} of {Resource} {Namespace}/{Name} failed", type, Resource, item.Metadata.NamespaceProperty, item.Metadata.Name);
        }
    }

    private static (string?, string) Key(T item) => (item.Metadata.NamespaceProperty, item.Metadata.Name);

    private static string ListVersion(TList list) =>
        (list as IMetadata<V1ListMeta>)?.Metadata?.ResourceVersion
        ?? throw new InvalidOperationException("the list response carries no resourceVersion");

    private static bool IsGone(Exception e) => e switch
    {
        KubernetesException k => k.Status?.Code == 410,
        HttpOperationException h => h.Response?.StatusCode == HttpStatusCode.Gone,
        _ => e.InnerException is not null && IsGone(e.InnerException),
    };

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException h => $"HTTP {(int?)h.Response?.StatusCode} {h.Response?.Content}",
        KubernetesException k => $"{k.Status?.Code} {k.Status?.Reason}: {k.Status?.Message}",
        _ => e.Message,
    };

    private async Task<bool> DelayAsync(TimeSpan backoff, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Jitter(backoff), _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private TimeSpan Next(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));

    private static TimeSpan Jitter(TimeSpan backoff) => backoff * (0.8 + (Random.Shared.NextDouble() * 0.4));
}
