using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Net.Client;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>A delta ADS stream as a test drives it.</summary>
public sealed class DeltaClient : AdsTestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>
{
    private readonly Node _node;

    public DeltaClient(GrpcChannel channel, Node node)
        : base(new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).DeltaAggregatedResources())
    {
        _node = node;
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

        if (TakeNodeTurn())
        {
            request.Node = _node;
        }

        return SendRawAsync(request);
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
}
