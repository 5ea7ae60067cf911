using ControlPlane.XdsServer.Delivery.Wire;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// envoy.service.discovery.v3.AggregatedDiscoveryService: both the state-of-the-world and the delta
/// stream. Bound by hand (<see cref="BindService"/>) rather than through the generated base, so that
/// state-of-the-world responses go out as prepared bytes (<see cref="AdsWire"/>); on the wire it is
/// the same service. The handlers are virtual because Grpc.AspNetCore takes only methods declared
/// virtual on the type that carries the binding attribute.
/// </summary>
[BindServiceMethod(typeof(AdsService), nameof(BindService))]
public class AdsService
{
    private readonly AdsStreamContext _context;
    private readonly ServingReadiness _readiness;

    public AdsService(AdsStreamContext context, ServingReadiness readiness)
    {
        _context = context;
        _readiness = readiness;
    }

    /// <summary>Called by Grpc.AspNetCore; it resolves the handlers by name on this type.</summary>
    public static void BindService(ServiceBinderBase binder, AdsService? service)
    {
        binder.AddMethod(AdsWire.StreamAggregatedResources, service is null ? null : service.StreamAggregatedResources);
        binder.AddMethod(AdsWire.DeltaAggregatedResources, service is null ? null : service.DeltaAggregatedResources);
    }

    public virtual Task StreamAggregatedResources(IAsyncStreamReader<SotwRequest> requestStream, IServerStreamWriter<OutgoingResponse> responseStream, ServerCallContext context)
    {
        RefuseUntilReady(context);
        return new SotwStream(_context, requestStream, responseStream, context).RunAsync();
    }

    public virtual Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<OutgoingResponse> responseStream, ServerCallContext context)
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
