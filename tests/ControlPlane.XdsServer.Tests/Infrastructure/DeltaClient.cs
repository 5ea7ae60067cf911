using System.Threading.Channels;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>A delta ADS stream as a test drives it.</summary>
public sealed class DeltaClient : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> _call;
    private readonly Channel<DeltaDiscoveryResponse> _responses = Channel.CreateUnbounded<DeltaDiscoveryResponse>();
    private readonly Task _reader;
    private readonly Node _node;
    private bool _nodeSent;

    public DeltaClient(GrpcChannel channel, Node node)
    {
        _node = node;
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).DeltaAggregatedResources();
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

    public Task SendAsync(
        string typeUrl,
        IEnumerable<string>? subscribe = null,
        IEnumerable<string>? unsubscribe = null,
        string nonce = "",
        string? error = null,
        IDictionary<string, string>? initialVersions = null)
    {
        var request = new DeltaDiscoveryRequest { TypeUrl = typeUrl, ResponseNonce = nonce };
        request.ResourceNamesSubscribe.AddRange(subscribe ?? []);
        request.ResourceNamesUnsubscribe.AddRange(unsubscribe ?? []);
        if (initialVersions is not null)
        {
            request.InitialResourceVersions.Add(initialVersions);
        }

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

    public async Task<DeltaDiscoveryResponse> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            return await _responses.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no delta discovery response arrived in time");
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            // The stream ended with an error: surface the RpcException itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed.InnerException);
            throw;
        }
    }

    public Task AckAsync(DeltaDiscoveryResponse response) => SendAsync(response.TypeUrl, nonce: response.Nonce);

    /// <summary>Same idea as <see cref="SotwClient.ExpectNothingPendingAsync"/>: a marker subscription answered in order.</summary>
    public async Task ExpectNothingPendingAsync(string because)
    {
        var marker = $"marker-{Guid.NewGuid():N}";
        await SendAsync(TypeUrls.Route, subscribe: [marker]);
        var next = await NextAsync();
        next.TypeUrl.Should().Be(TypeUrls.Route, because);
        next.Resources.Should().BeEmpty(because);
        await AckAsync(next);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception)
        {
            // Already closed by the server.
        }

        _call.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // Delivered through the channel.
        }
    }
}
