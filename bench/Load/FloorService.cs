using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The fan-out floor: an ADS service that does nothing but hand the same pre-serialized bytes to
/// every open stream. Requests are read and dropped. What our server costs above this is the cost of
/// deciding what to send; this is the cost of sending it with the same gRPC stack.
/// </summary>
[BindServiceMethod(typeof(FloorService), nameof(BindService))]
internal class FloorService
{
    private static readonly Marshaller<byte[]> Raw = new((bytes, context) => context.Complete(bytes), context => context.PayloadAsNewBuffer());

    // Requests are received whole (gRPC waits for each message) but never copied or parsed: a minimal
    // server needs nothing from an ACK.
    private static readonly Marshaller<byte[]> Discarded = new((bytes, context) => context.Complete(bytes), _ => []);

    private static readonly Method<byte[], byte[]> Sotw = new(MethodType.DuplexStreaming, AdsMethods.Service, "StreamAggregatedResources", Discarded, Raw);

    private static readonly Method<byte[], byte[]> Delta = new(MethodType.DuplexStreaming, AdsMethods.Service, "DeltaAggregatedResources", Discarded, Raw);

    private readonly ConcurrentDictionary<long, (bool Delta, Channel<byte[]> Outbox)> _streams = new();
    private long _next;

    /// <summary>Open streams.</summary>
    public int Streams => _streams.Count;

    /// <summary>Grpc.AspNetCore binds the methods by name to the public methods below.</summary>
    public static void BindService(ServiceBinderBase binder, FloorService? service)
    {
        binder.AddMethod(Sotw, (DuplexStreamingServerMethod<byte[], byte[]>)((requests, responses, context) => service!.StreamAggregatedResources(requests, responses, context)));
        binder.AddMethod(Delta, (DuplexStreamingServerMethod<byte[], byte[]>)((requests, responses, context) => service!.DeltaAggregatedResources(requests, responses, context)));
    }

    /// <summary>Queues the SotW or delta form of each message on every open stream.</summary>
    public void Push(IReadOnlyList<byte[]> sotw, IReadOnlyList<byte[]> delta)
    {
        foreach (var (_, stream) in _streams)
        {
            foreach (var message in stream.Delta ? delta : sotw)
            {
                stream.Outbox.Writer.TryWrite(message);
            }
        }
    }

    // Grpc.AspNetCore finds the handlers by name and wants them virtual, declared on the bound type.
    public virtual Task StreamAggregatedResources(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context) =>
        ServeAsync(false, requests, responses, context);

    public virtual Task DeltaAggregatedResources(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context) =>
        ServeAsync(true, requests, responses, context);

    private async Task ServeAsync(bool delta, IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        var id = Interlocked.Increment(ref _next);
        var outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        var token = context.CancellationToken;
        var reading = Task.Run(
            async () =>
            {
                try
                {
                    var first = true;
                    while (await requests.MoveNext(token))
                    {
                        if (first)
                        {
                            // Answer the first request so the client knows its stream is registered.
                            first = false;
                            _streams[id] = (delta, outbox);
                            outbox.Writer.TryWrite(delta ? FloorMessages.DeltaHello : FloorMessages.SotwHello);
                        }
                    }
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                }
                finally
                {
                    outbox.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(token))
            {
                await responses.WriteAsync(message, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            _streams.TryRemove(id, out _);
            await reading;
        }
    }
}
