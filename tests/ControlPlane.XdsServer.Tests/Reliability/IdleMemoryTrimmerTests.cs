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

    [Fact]
    public async Task A_wave_of_ended_streams_starts_a_full_collection_without_waiting_for_quiet()
    {
        using var logs = new TestLogSink();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        long ended = 0;

        // Quiet would take an hour here: only the wave can collect.
        using var trimmer = new IdleMemoryTrimmer(TimeSpan.FromHours(1), 32L << 20, factory.CreateLogger<IdleMemoryTrimmer>(), () => Interlocked.Read(ref ended));
        await trimmer.StartAsync(CancellationToken.None);
        await logs.WaitForAsync("quiet for");
        var fullCollections = GC.CollectionCount(GC.MaxGeneration);

        Interlocked.Add(ref ended, IdleMemoryTrimmer.DisconnectWaveStreams - 1);
        var ticks = Ticks(logs);
        await Eventually.Until(() => Ticks(logs) >= ticks + 2, "two more ticks of the trimmer");
        logs.Events.Should().NotContain(e => e.Message.Contains("streams ended within", StringComparison.Ordinal), "one stream short of a wave");

        Interlocked.Add(ref ended, IdleMemoryTrimmer.DisconnectWaveStreams);
        await logs.WaitForAsync("streams ended within");
        await Eventually.Until(() => GC.CollectionCount(GC.MaxGeneration) > fullCollections, "a full collection after the wave");
        await trimmer.StopAsync(CancellationToken.None);
    }

    private static int Ticks(TestLogSink logs) => logs.Events.Count(e => e.Message.Contains("quiet for", StringComparison.Ordinal));

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
