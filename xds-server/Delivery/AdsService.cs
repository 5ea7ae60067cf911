using ControlPlane.XdsServer.Delivery.Wire;
using Envoy.Service.Discovery.V3;
using Grpc.Core;

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

    public AdsService(AdsStreamContext context)
    {
        _context = context;
    }

    /// <summary>Called by Grpc.AspNetCore; it resolves the handlers by name on this type.</summary>
    public static void BindService(ServiceBinderBase binder, AdsService? service)
    {
        binder.AddMethod(AdsWire.StreamAggregatedResources, service is null ? null : service.StreamAggregatedResources);
        binder.AddMethod(AdsWire.DeltaAggregatedResources, service is null ? null : service.DeltaAggregatedResources);
    }

    public virtual Task StreamAggregatedResources(IAsyncStreamReader<SotwRequest> requestStream, IServerStreamWriter<OutgoingResponse> responseStream, ServerCallContext context) =>
        new SotwStream(_context, requestStream, responseStream, context).RunAsync();

    public virtual Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<OutgoingResponse> responseStream, ServerCallContext context) =>
        new DeltaStream(_context, requestStream, responseStream, context).RunAsync();
}
