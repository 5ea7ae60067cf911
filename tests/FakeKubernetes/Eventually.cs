namespace ControlPlane.FakeKubernetes;

/// <summary>Waits for a condition with a deadline; the only way these tests wait for asynchronous effects.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(20);
        var last = await probe();
        while (!condition(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {last}");
            }

            // Polling interval, not synchronisation: the deadline bounds the wait, the condition ends it.
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            last = await probe();
        }

        return last;
    }

    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(condition()), ok => ok, what, timeout);
}
