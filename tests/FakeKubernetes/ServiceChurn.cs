using k8s;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// A busy neighbour: creates a Service with a ready EndpointSlice in its own namespace every
/// <see cref="Interval"/>, at most <see cref="MaxServices"/>, until disposed. xDS clients of a server
/// watching the whole cluster then see pushes that are not about the test's own objects.
/// </summary>
public sealed class ServiceChurn : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public const int MaxServices = 100;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _created;

    private ServiceChurn(TestCluster cluster, string ns)
    {
        Namespace = ns;
        _running = RunAsync(cluster, ns, _stop.Token);
    }

    /// <summary>The neighbour's namespace: nothing of the test's lives there.</summary>
    public string Namespace { get; }

    public int Created => Volatile.Read(ref _created);

    public static async Task<ServiceChurn> StartAsync(TestCluster cluster)
    {
        var churn = new ServiceChurn(cluster, await cluster.CreateNamespaceAsync("neighbour"));
        // Running before the test goes on, so its first responses already have company.
        await Eventually.Until(() => churn.Created > 0 || churn._running.IsCompleted, "the neighbour's first Service");
        return churn;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }

    private async Task RunAsync(TestCluster cluster, string ns, CancellationToken stop)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            for (var i = 0; i < MaxServices && !stop.IsCancellationRequested; i++)
            {
                await TestServices.CreateWithEndpointAsync(cluster.Client, ns, $"busy-{i}", port: 80, targetPort: 8080, address: $"192.0.2.{1 + (i % 100)}");
                Interlocked.Increment(ref _created);
                await timer.WaitForNextTickAsync(stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
