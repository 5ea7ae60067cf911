using System.Threading.Channels;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>A state-of-the-world ADS stream as a test drives it: send requests, await responses with a deadline.</summary>
public sealed class SotwClient : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> _call;
    private readonly Channel<DiscoveryResponse> _responses = Channel.CreateUnbounded<DiscoveryResponse>();
    private readonly Task _reader;
    private readonly Node _node;
    private bool _nodeSent;

    public SotwClient(GrpcChannel channel, Node node)
    {
        _node = node;
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources();
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in _call.ResponseStream.ReadAllAsync())
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

    /// <summary>Sends a request; the node goes with the first one only, as Envoy does.</summary>
    public Task SendAsync(string typeUrl, IEnumerable<string>? names = null, string version = "", string nonce = "", string? error = null)
    {
        var request = new DiscoveryRequest { TypeUrl = typeUrl, VersionInfo = version, ResponseNonce = nonce };
        request.ResourceNames.AddRange(names ?? []);
        if (error is not null)
        {
            request.ErrorDetail = new Google.Rpc.Status { Code = 3, Message = error };
        }

        if (!_nodeSent)
        {
            request.Node = _node;
            _nodeSent = true;
        }

        return _call.RequestStream.WriteAsync(request);
    }

    public Task SendRawAsync(DiscoveryRequest request) => _call.RequestStream.WriteAsync(request);

    public async Task<DiscoveryResponse> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            return await _responses.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no discovery response arrived in time");
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            // The stream ended with an error: surface the RpcException itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed.InnerException);
            throw;
        }
    }

    /// <summary>Requests a type and returns its response; the usual first step.</summary>
    public async Task<DiscoveryResponse> RequestAsync(string typeUrl, IEnumerable<string>? names = null)
    {
        await SendAsync(typeUrl, names);
        return await NextAsync();
    }

    public Task AckAsync(DiscoveryResponse response, IEnumerable<string>? names = null) =>
        SendAsync(response.TypeUrl, names, response.VersionInfo, response.Nonce);

    /// <summary>
    /// Proves that nothing was sent in answer to the requests before: asks for a route config that
    /// always gets an answer, and checks that its answer is the next response on the stream.
    /// Responses come in order, so anything sent earlier would arrive first.
    /// </summary>
    public async Task ExpectNothingPendingAsync(string because)
    {
        var marker = $"marker-{Guid.NewGuid():N}";
        await SendAsync(TypeUrls.Route, [marker]);
        var next = await NextAsync();
        next.TypeUrl.Should().Be(TypeUrls.Route, because);
        next.Resources.Should().BeEmpty(because);
        await AckAsync(next, [marker]);
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
}
