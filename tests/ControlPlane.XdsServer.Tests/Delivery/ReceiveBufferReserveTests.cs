using System.Buffers;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Hosting;
using ControlPlane.XdsServer.Tests.Infrastructure;
using ControlPlane.XdsServer.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Delivery;

/// <summary>
/// The gRPC listener's memory pool is filled, between pushes, to what the state-of-the-world
/// streams' next requests will take, so a wave of ACKs finds its blocks instead of allocating them.
/// </summary>
public sealed class ReceiveBufferReserveTests : ProtocolTestBase
{
    private ReceiveBufferReserve Reserve => Server.Services.GetRequiredService<ReceiveBufferReserve>();

    [Fact]
    public async Task A_streams_largest_request_is_expected_until_the_stream_ends()
    {
        var names = Enumerable.Range(0, 400).Select(i => $"outbound|9080||service-{i}.default.svc.cluster.local").ToList();
        var before = Reserve.ExpectedBytes;
        await using (var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "reserving")))
        {
            await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
            await proxy.SendAsync(TypeUrls.Endpoint, names);

            // 400 names of ~50 bytes: the EDS request is the largest, ~20 KB.
            await Eventually.Until(() => Reserve.ExpectedBytes - before >= 400 * 50, "the EDS request to be expected again");
            Reserve.Pools.Should().NotBeEmpty("the gRPC listener's connections show their pool");
        }

        await Eventually.Until(() => Reserve.ExpectedBytes == before, "the ended stream to expect nothing");
    }

    [Fact]
    public async Task After_a_fill_a_wave_of_that_size_allocates_no_blocks()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "filled"));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        var pool = Reserve.Pools.Should().ContainSingle("one connection shows one pool").Subject;
        Reserve.Expect(8L << 20);
        try
        {
            var blocks = Reserve.Fill();
            blocks.Should().BeGreaterThanOrEqualTo((int)((8L << 20) / pool.MaxBufferSize));

            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var wave = Enumerable.Range(0, blocks).Select(_ => pool.Rent(pool.MaxBufferSize)).ToList();
            var perBlock = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)blocks;
            wave.ForEach(block => block.Dispose());

            perBlock.Should().BeLessThan(pool.MaxBufferSize / 8.0, "the blocks were in the pool already (the list holding them costs a few bytes each)");
        }
        finally
        {
            Reserve.Expect(-(8L << 20));
        }
    }

    [Fact]
    public void Without_a_pool_or_anything_expected_nothing_is_rented_and_the_fill_is_capped()
    {
        using var reserve = new ReceiveBufferReserve(NullLogger<ReceiveBufferReserve>.Instance);
        reserve.Expect(1 << 20);
        reserve.Fill().Should().Be(0, "no connection has shown the pool yet");

        var pool = new CountingPool();
        var other = new CountingPool();
        reserve.Attach(pool);
        reserve.Attach(pool);
        reserve.Attach(other);
        reserve.Pools.Should().HaveCount(2, "each distinct pool is kept once");
        reserve.Fill().Should().Be((1 << 20) / CountingPool.BlockSize);
        pool.Rented.Should().Be(pool.Returned).And.Be((1 << 20) / CountingPool.BlockSize / 2, "each pool holds half the connections");
        other.Rented.Should().Be(pool.Rented);

        reserve.Expect(ReceiveBufferReserve.MaxReserveBytes * 2);
        reserve.Fill().Should().Be((int)(ReceiveBufferReserve.MaxReserveBytes / CountingPool.BlockSize));

        reserve.Expect(-reserve.ExpectedBytes);
        reserve.Fill().Should().Be(0, "nothing is expected");
    }

    [Fact]
    public async Task Every_pool_the_listeners_connections_read_into_is_filled()
    {
        // Each channel is its own HTTP/2 connection; Kestrel spreads them over its I/O queues' pools.
        var channels = Enumerable.Range(0, 2 * Environment.ProcessorCount + 2).Select(_ => Grpc.Net.Client.GrpcChannel.ForAddress(Server.GrpcAddress)).ToList();
        var proxies = channels.Select((channel, i) => new SotwClient(channel, TestNodes.Sidecar(pod: $"pooled-{i}"))).ToList();
        try
        {
            foreach (var proxy in proxies)
            {
                await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
            }

            Reserve.Pools.Should().HaveCount(Math.Min(Environment.ProcessorCount, 16), "a fill must reach every connection's pool, not the first one's");
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            channels.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void A_pool_disposed_by_a_stopping_server_is_forgotten_rather_than_ending_the_fills()
    {
        using var reserve = new ReceiveBufferReserve(NullLogger<ReceiveBufferReserve>.Instance);
        var live = new CountingPool();
        var disposed = new CountingPool { Disposed = true };
        reserve.Attach(disposed);
        reserve.Attach(live);
        reserve.Expect(1 << 20);

        reserve.Fill().Should().Be((1 << 20) / CountingPool.BlockSize / 2, "the live pool still gets its share");

        reserve.Pools.Should().ContainSingle().Which.Should().BeSameAs(live);
    }

    /// <summary>Counts rents and returns; its blocks are 64 KiB so the capped fill stays small.</summary>
    private sealed class CountingPool : MemoryPool<byte>
    {
        public const int BlockSize = 64 * 1024;

        public int Rented { get; private set; }

        public int Returned { get; private set; }

        /// <summary>Rent throws, as Kestrel's pool does once disposed.</summary>
        public bool Disposed { get; init; }

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Rented++;
            return new Block(this);
        }

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block(CountingPool pool) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory => Memory<byte>.Empty;

            public void Dispose() => pool.Returned++;
        }
    }
}
