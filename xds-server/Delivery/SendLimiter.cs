namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Bounds how many large responses are being written at the same time. A gRPC write completes once
/// the proxy has taken most of it (HTTP/2 flow control), and until then the response sits in the
/// server's buffers; without a bound, a push to N proxies buffers N full configs at once.
/// </summary>
public sealed class SendLimiter
{
    /// <summary>Responses smaller than this (in bytes) are written without a slot: ACK-sized traffic never waits.</summary>
    public const int LargeResponseBytes = 64 * 1024;

    private readonly SemaphoreSlim _slots;

    /// <param name="maxConcurrentSends">Large writes in flight at once; at least 1.</param>
    public SendLimiter(int maxConcurrentSends)
    {
        _slots = new SemaphoreSlim(Math.Max(1, maxConcurrentSends));
    }

    /// <summary>Waits for a slot when <paramref name="bytes"/> is large; dispose the result when the write is done.</summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public async ValueTask<Slot> AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes < LargeResponseBytes)
        {
            return default;
        }

        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    /// <summary>A held slot (or none, for a small write); releases it once.</summary>
    public readonly struct Slot(SemaphoreSlim? slots) : IDisposable
    {
        public void Dispose() => slots?.Release();
    }
}
