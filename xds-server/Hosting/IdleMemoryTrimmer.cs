using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Hosting;

/// <summary>
/// Gives memory back to the operating system once a burst is over. A push to thousands of proxies
/// (a connect or reconnect storm, a full push) grows the GC heap by hundreds of megabytes of
/// short-lived buffers; a server that then goes quiet allocates too little to trigger another
/// collection, so that memory stays resident while the proxies sit idle. When the process has been
/// quiet (allocating under <see cref="QuietBytesPerSecond"/>) for
/// <see cref="XdsServerOptions.IdleMemoryTrimAfter"/> and its committed heap has grown by
/// <see cref="GrowthBytes"/> since the last trim, one aggressive, compacting collection
/// (<see cref="GCCollectionMode.Aggressive"/>) returns the free memory, as Go's scavenger does for istiod.
/// Never while pushes run: a trim costs a blocking collection (tens to hundreds of ms).
/// A wave of ended streams (<see cref="DisconnectWaveStreams"/> or more within half a second: the
/// proxies of a node or a whole mesh reconnecting) starts a background full collection at once,
/// busy or not: each dropped stream leaves ~150 KiB of long-lived, by then full-generation garbage,
/// which the reconnecting streams would otherwise be built on top of (in back-to-back reconnect
/// storms of 2,000 proxies, ~300 MB of the peak).
/// </summary>
public sealed class IdleMemoryTrimmer : BackgroundService
{
    /// <summary>Allocation below this rate counts as quiet, bytes per second.</summary>
    public const long QuietBytesPerSecond = 4L << 20;

    /// <summary>Committed heap growth since the last trim that makes a trim worth its pause, bytes.</summary>
    public const long GrowthBytes = 64L << 20;

    /// <summary>Streams ending within one tick (half a second) that start a background full collection.</summary>
    public const int DisconnectWaveStreams = 256;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    private readonly TimeSpan _after;
    private readonly long _growth;
    private readonly Func<long> _streamsEnded;
    private readonly ILogger<IdleMemoryTrimmer> _logger;

    public IdleMemoryTrimmer(IOptions<XdsServerOptions> options, Delivery.ConnectionRegistry registry, ILogger<IdleMemoryTrimmer> logger)
        : this(options.Value.IdleMemoryTrimAfter, GrowthBytes, logger, () => registry.Removed)
    {
    }

    /// <param name="growth">Committed heap growth that makes a trim worth it, bytes (tests use less than <see cref="GrowthBytes"/>).</param>
    /// <param name="streamsEnded">How many streams have ended so far; none when null.</param>
    internal IdleMemoryTrimmer(TimeSpan after, long growth, ILogger<IdleMemoryTrimmer> logger, Func<long>? streamsEnded = null)
    {
        _after = after;
        _growth = growth;
        _logger = logger;
        _streamsEnded = streamsEnded ?? (() => 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_after <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(Tick);
        var allocated = GC.GetTotalAllocatedBytes();
        var baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var quietFor = TimeSpan.Zero;
        var ended = _streamsEnded();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var endedNow = _streamsEnded();
            if (endedNow - ended >= DisconnectWaveStreams)
            {
                _logger.LogDebug("{Streams} streams ended within {Tick}: starting a background full collection", endedNow - ended, Tick);
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
            }

            ended = endedNow;
            var now = GC.GetTotalAllocatedBytes();
            var quiet = now - allocated < QuietBytesPerSecond * Tick.TotalSeconds;
            allocated = now;
            quietFor = quiet ? quietFor + Tick : TimeSpan.Zero;
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            _logger.LogTrace("Memory: quiet for {Quiet}, committed heap {Committed} bytes, {Baseline} after the last trim", quietFor, committed, baseline);
            if (quietFor < _after || committed - baseline < _growth)
            {
                baseline = Math.Min(baseline, committed);
                continue;
            }

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
            allocated = GC.GetTotalAllocatedBytes();
            quietFor = TimeSpan.Zero;
            _logger.LogInformation("Returned idle memory after a burst: committed heap {BeforeMiB} MiB -> {AfterMiB} MiB", committed >> 20, baseline >> 20);
        }
    }
}
