using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>envoy.service.discovery.v3.AggregatedDiscoveryService: both the state-of-the-world and the delta stream.</summary>
public sealed class AdsService : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    private readonly AdsStreamContext _context;
    private readonly ServingReadiness _readiness;

    public AdsService(AdsStreamContext context, ServingReadiness readiness)
    {
        _context = context;
        _readiness = readiness;
    }

    public override Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        RefuseUntilReady(context);
        return new SotwStream(_context, requestStream, responseStream, context).RunAsync();
    }

    public override Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context)
    {
        RefuseUntilReady(context);
        return new DeltaStream(_context, requestStream, responseStream, context).RunAsync();
    }

    /// <summary>UNAVAILABLE (the proxy retries with backoff) until the sources have synced and their config is published.</summary>
    private void RefuseUntilReady(ServerCallContext context)
    {
        if (_readiness.Check() is not { } waiting)
        {
            return;
        }

        XdsMetrics.RejectedRequests.WithLabels("not_ready").Inc();
        // Every proxy retries until the server is ready: one line each time would flood the log.
        _context.Logger.LogDebug("Refusing ADS stream from {Peer}: not ready ({Waiting})", context.Peer, waiting);
        throw new RpcException(new Status(StatusCode.Unavailable, $"server is not ready to serve discovery information: {waiting}"));
    }
}
