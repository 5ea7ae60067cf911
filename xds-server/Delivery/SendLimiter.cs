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

    /// <summary>Slots free right now (for tests and diagnostics).</summary>
    public int Available => _slots.CurrentCount;

    /// <summary>
    /// Waits for a slot when <paramref name="bytes"/> is large. Returns whether one was taken; the
    /// caller gives it back with <see cref="Release"/> exactly once.
    /// </summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public async ValueTask<bool> AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes < LargeResponseBytes)
        {
            return false;
        }

        await _slots.WaitAsync(cancellationToken);
        return true;
    }

    /// <summary>Gives back a slot <see cref="AcquireAsync"/> took.</summary>
    public void Release() => _slots.Release();
}
