using System.Threading.Channels;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// A work queue of keys (for status writers: the operator's and the xds-server's): a key queued
/// twice before it is taken is worked once; a key whose work failed comes back after an
/// exponentially growing delay.
/// </summary>
public sealed class RateLimitedQueue<T>
    where T : notnull
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();
    private readonly HashSet<T> _queued = new();
    private readonly Dictionary<T, int> _failures = new();
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public RateLimitedQueue(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
    }

    public void Add(T key)
    {
        lock (_queued)
        {
            if (!_queued.Add(key))
            {
                return;
            }
        }

        _channel.Writer.TryWrite(key);
    }

    public async Task<T> TakeAsync(CancellationToken cancellationToken)
    {
        var key = await _channel.Reader.ReadAsync(cancellationToken);
        lock (_queued)
        {
            _queued.Remove(key);
        }

        return key;
    }

    public void Succeeded(T key)
    {
        lock (_queued)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>Queues the key again after a delay that doubles with each consecutive failure.</summary>
    public void Failed(T key, CancellationToken cancellationToken)
    {
        int failures;
        lock (_queued)
        {
            failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
        }

        var delay = TimeSpan.FromTicks(Math.Min(_baseDelay.Ticks << Math.Min(failures - 1, 20), _maxDelay.Ticks));
        _ = Task.Delay(delay, cancellationToken).ContinueWith(_ => Add(key), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }
}
