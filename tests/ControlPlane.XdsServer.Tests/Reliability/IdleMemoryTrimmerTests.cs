using ControlPlane.XdsServer.Hosting;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Reliability;

/// <summary>
/// After a burst of short-lived allocations, a quiet process gives the free heap back: committed
/// memory falls without any further allocation to trigger a collection. Runs alone: a busy test
/// process next to it is never quiet.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class IdleMemoryTrimmerTests
{
    [Fact]
    public async Task A_quiet_process_returns_the_heap_a_burst_grew()
    {
        using var logs = new TestLogSink();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var trimmer = new IdleMemoryTrimmer(TimeSpan.FromSeconds(1), 32L << 20, factory.CreateLogger<IdleMemoryTrimmer>());
        await trimmer.StartAsync(CancellationToken.None);
        await logs.WaitForAsync("quiet for");

        Burst();
        var grown = GC.GetGCMemoryInfo().TotalCommittedBytes;
        await logs.WaitForAsync("Returned idle memory after a burst");
        await trimmer.StopAsync(CancellationToken.None);

        GC.GetGCMemoryInfo().TotalCommittedBytes.Should().BeLessThan(grown - (16L << 20), "the burst's free heap went back to the operating system");
    }

    /// <summary>Holds 128 MiB of 64 KiB arrays at once, then lets them all go, as a push to thousands of proxies does with its buffers.</summary>
    private static void Burst()
    {
        var held = new List<byte[]>();
        for (var i = 0; i < 2048; i++)
        {
            var buffer = new byte[64 * 1024];
            buffer[^1] = 1;
            held.Add(buffer);
        }

        GC.KeepAlive(held);
    }
}
