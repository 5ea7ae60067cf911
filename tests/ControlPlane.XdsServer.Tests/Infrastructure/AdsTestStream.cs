using System.Threading.Channels;
using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>An ADS stream as a test drives it: responses are collected as they come and awaited with a deadline.</summary>
public abstract class AdsTestStream<TRequest, TResponse> : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> _call;
    private readonly Channel<TResponse> _responses = Channel.CreateUnbounded<TResponse>();
    private readonly Task _reader;
    private bool _nodeSent;

    protected AdsTestStream(AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        _call = call;
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync())
                {
                    await _responses.Writer.WriteAsync(response);
                }

                _responses.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _responses.Writer.TryComplete(e);
            }
        });
    }

    public Task SendRawAsync(TRequest request) => _call.RequestStream.WriteAsync(request);

    public async Task<TResponse> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            return await _responses.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {typeof(TResponse).Name} arrived in time");
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            // The stream ended with an error: surface the RpcException itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed.InnerException);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception)
        {
            // The server may have closed the stream already.
        }

        _call.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // Reader errors were delivered through the channel.
        }
    }

    /// <summary>True the first time only: the node goes with the first request, as Envoy sends it.</summary>
    protected bool TakeNodeTurn()
    {
        var first = !_nodeSent;
        _nodeSent = true;
        return first;
    }
}
