using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Hosting;

/// <summary>
/// Keeps the gRPC listener's memory pools (Kestrel's pinned 4 KiB blocks, which hold requests as
/// they arrive; one pool per I/O queue of its socket transport) stocked for the next wave of requests. A push to N state-of-the-world proxies brings
/// N ACKs back at once, each as large as the proxy's last request of that type (Envoy repeats every
/// EDS name it holds in each EDS ACK: ~50 KB per proxy at 1,000 services), and they arrive faster
/// than a server that is still pushing reads them. Blocks the pool lacks are then allocated on the
/// pinned object heap, which counts against the GC's budget for large objects: at 2,000 proxies the
/// first endpoint pushes after a connect storm allocated ~70 MB of blocks and set off a background
/// gen2 collection mid-push, which tripled that push's CPU. Kestrel's pools also evict idle blocks
/// (up to 5 % per 10 s), so a push after a quiet spell paid the same again.
/// So while the server is quiet (allocating under <see cref="IdleMemoryTrimmer.QuietBytesPerSecond"/>
/// for <see cref="QuietTicks"/> ticks of <see cref="Tick"/>), at most every <see cref="Period"/>, the
/// pools are filled to <see cref="ExpectedBytes"/>, what the connected state-of-the-world streams'
/// largest last requests add up to (at most <see cref="MaxReserveBytes"/>), shared evenly: the
/// allocation, and any collection it sets off, happen between pushes. The memory is what the next
/// wave would take anyway. A push that starts during a fill (a millisecond or two) may still
/// allocate a few blocks.
/// </summary>
public sealed class ReceiveBufferReserve : BackgroundService
{
    /// <summary>The most the pools are filled to, together, bytes.</summary>
    public const long MaxReserveBytes = 256L << 20;

    /// <summary>How often quiet is checked.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>The least time between two fills: Kestrel's pools evict at most once per 10 s.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive quiet ticks before a fill.</summary>
    public const int QuietTicks = 2;

    private readonly ILogger<ReceiveBufferReserve> _logger;
    private readonly ConcurrentDictionary<MemoryPool<byte>, byte> _pools = new(ReferenceEqualityComparer.Instance);
    private long _expectedBytes;

    public ReceiveBufferReserve(ILogger<ReceiveBufferReserve> logger)
    {
        _logger = logger;
    }

    /// <summary>Bytes the next wave of requests is expected to bring: the sum of what streams reported with <see cref="Expect"/>.</summary>
    public long ExpectedBytes => Interlocked.Read(ref _expectedBytes);

    /// <summary>
    /// The pools the gRPC listener's connections read into: Kestrel's socket transport has one per
    /// I/O queue (one per core, at most 16) and spreads connections over them in turn. Empty before
    /// the first connection.
    /// </summary>
    public ICollection<MemoryPool<byte>> Pools => _pools.Keys;

    /// <summary>Takes the pool of one of the listener's connections (each distinct pool once).</summary>
    public void Attach(MemoryPool<byte>? pool)
    {
        if (pool is not null)
        {
            _pools.TryAdd(pool, 0);
        }
    }

    /// <summary>Adds <paramref name="deltaBytes"/> (negative to take back) to what a stream expects its next request to take.</summary>
    public void Expect(long deltaBytes) => Interlocked.Add(ref _expectedBytes, deltaBytes);

    /// <summary>
    /// Fills each pool with its share of <see cref="ExpectedBytes"/> (capped): connections are
    /// spread evenly over the pools, so each pool's streams expect about that much. For each, rents
    /// as many blocks as its share needs at once and returns them all, which leaves at least that
    /// many in it: those it lacked are allocated now.
    /// </summary>
    /// <returns>The blocks rented over all pools; 0 without a pool or with nothing expected.</returns>
    /// <remarks>A pool Kestrel has disposed (the server is stopping) is forgotten.</remarks>
    public int Fill()
    {
        var pools = _pools.Keys;
        var bytes = Math.Min(ExpectedBytes, MaxReserveBytes);
        if (pools.Count == 0 || bytes <= 0)
        {
            return 0;
        }

        var share = (bytes + pools.Count - 1) / pools.Count;
        var total = 0;
        foreach (var pool in pools)
        {
            try
            {
                total += FillOne(pool, share);
            }
            catch (ObjectDisposedException)
            {
                _pools.TryRemove(pool, out _);
            }
        }

        return total;
    }

    private static int FillOne(MemoryPool<byte> pool, long bytes)
    {
        var blockSize = Math.Max(pool.MaxBufferSize, 1);
        var blocks = (int)((bytes + blockSize - 1) / blockSize);
        var rented = ArrayPool<IMemoryOwner<byte>>.Shared.Rent(blocks);
        try
        {
            for (var i = 0; i < blocks; i++)
            {
                rented[i] = pool.Rent(blockSize);
            }
        }
        finally
        {
            for (var i = 0; i < blocks && rented[i] is not null; i++)
            {
                rented[i].Dispose();
            }

            ArrayPool<IMemoryOwner<byte>>.Shared.Return(rented, clearArray: true);
        }

        return blocks;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        var allocated = GC.GetTotalAllocatedBytes();
        var quietTicks = 0;
        var lastFill = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = GC.GetTotalAllocatedBytes();
            quietTicks = now - allocated < IdleMemoryTrimmer.QuietBytesPerSecond * Tick.TotalSeconds ? quietTicks + 1 : 0;
            allocated = now;
            if (quietTicks < QuietTicks || (lastFill != TimeSpan.Zero && clock.Elapsed - lastFill < Period))
            {
                continue;
            }

            var started = clock.Elapsed;
            var blocks = Fill();
            lastFill = clock.Elapsed;
            allocated = GC.GetTotalAllocatedBytes();
            if (blocks > 0)
            {
                _logger.LogDebug("Filled the gRPC receive buffer pools to {Blocks} blocks ({ExpectedBytes} bytes expected) in {ElapsedMs:F1} ms", blocks, ExpectedBytes, (lastFill - started).TotalMilliseconds);
            }
        }
    }
}
