using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Net.Client;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>A state-of-the-world ADS stream as a test drives it: send requests, await responses with a deadline.</summary>
public sealed class SotwClient : AdsTestStream<DiscoveryRequest, DiscoveryResponse>
{
    private readonly Node _node;

    public SotwClient(GrpcChannel channel, Node node)
        : base(new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources())
    {
        _node = node;
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

        if (TakeNodeTurn())
        {
            request.Node = _node;
        }

        return SendRawAsync(request);
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
}
