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
            Reserve.Pool.Should().NotBeNull("the gRPC listener's connections show their pool");
        }

        await Eventually.Until(() => Reserve.ExpectedBytes == before, "the ended stream to expect nothing");
    }

    [Fact]
    public async Task After_a_fill_a_wave_of_that_size_allocates_no_blocks()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "filled"));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        var pool = Reserve.Pool!;
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
        reserve.Attach(pool);
        reserve.Attach(new CountingPool());
        reserve.Pool.Should().BeSameAs(pool, "the first pool shown is kept");
        reserve.Fill().Should().Be((1 << 20) / CountingPool.BlockSize);
        pool.Rented.Should().Be(pool.Returned).And.Be((1 << 20) / CountingPool.BlockSize);

        reserve.Expect(ReceiveBufferReserve.MaxReserveBytes * 2);
        reserve.Fill().Should().Be((int)(ReceiveBufferReserve.MaxReserveBytes / CountingPool.BlockSize));

        reserve.Expect(-reserve.ExpectedBytes);
        reserve.Fill().Should().Be(0, "nothing is expected");
    }

    /// <summary>Counts rents and returns; its blocks are 64 KiB so the capped fill stays small.</summary>
    private sealed class CountingPool : MemoryPool<byte>
    {
        public const int BlockSize = 64 * 1024;

        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
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
