using Envoy.Service.Discovery.V3;
using Grpc.Core;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>envoy.service.discovery.v3.AggregatedDiscoveryService: both the state-of-the-world and the delta stream.</summary>
public sealed class AdsService : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    private readonly AdsStreamContext _context;

    public AdsService(AdsStreamContext context)
    {
        _context = context;
    }

    public override Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context) =>
        new SotwStream(_context, requestStream, responseStream, context).RunAsync();

    public override Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context) =>
        new DeltaStream(_context, requestStream, responseStream, context).RunAsync();
}
