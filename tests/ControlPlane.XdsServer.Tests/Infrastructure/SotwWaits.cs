using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>
/// Waiting on a state-of-the-world stream of a server that watches a shared cluster: pushes about other
/// tenants' objects arrive in between, so the next response is never assumed to be the one wanted.
/// </summary>
public static class SotwWaits
{
    /// <summary>
    /// Reads responses until one of <paramref name="typeUrl"/> satisfies <paramref name="accept"/>, and
    /// returns it. Every response read is ACKed with the names <paramref name="subscriptions"/> holds for
    /// its type (none: a wildcard type), as a proxy does, so the server goes on pushing.
    /// </summary>
    /// <exception cref="TimeoutException">No such response within <paramref name="timeout"/> (default <see cref="Eventually.DefaultTimeout"/>).</exception>
    public static async Task<DiscoveryResponse> UntilAsync(
        this SotwClient client,
        string typeUrl,
        Func<DiscoveryResponse, bool> accept,
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions,
        string what,
        TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        var seen = 0;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting for {what} after {seen} other responses");
            }

            DiscoveryResponse response;
            try
            {
                response = await client.NextAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Timed out waiting for {what} after {seen} other responses");
            }

            await client.AckAsync(response, subscriptions.GetValueOrDefault(response.TypeUrl) ?? []);
            if (response.TypeUrl == typeUrl && accept(response))
            {
                return response;
            }

            seen++;
        }
    }
}
