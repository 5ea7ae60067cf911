using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Bounds how many streams generate and prepare a push at once, so a burst of changes across
/// thousands of proxies cannot take every core. Writes happen outside it: a slow proxy holds no slot.
/// </summary>
public sealed class PushLimiter
{
    private readonly SemaphoreSlim _slots;

    public PushLimiter(IOptions<XdsServerOptions> options)
    {
        _slots = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentPushes));
    }

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }
}
