using System.Buffers;
using System.Diagnostics;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The two ADS methods as the simulated proxies call them: delta requests are real Envoy protos, SotW
/// requests the same bytes written by <see cref="SotwRequestMessage"/>, responses
/// are read by <see cref="ResponseReader"/> straight from the received bytes, timestamped on arrival.
/// </summary>
internal static class AdsMethods
{
    public const string Service = "envoy.service.discovery.v3.AggregatedDiscoveryService";

    public static readonly Method<SotwRequestMessage, XdsResponse> StateOfTheWorld = new(
        MethodType.DuplexStreaming, Service, "StreamAggregatedResources", SotwRequestMarshaller(), ResponseMarshaller(ResponseReader.ReadSotw));

    public static readonly Method<DeltaDiscoveryRequest, XdsResponse> Delta = new(
        MethodType.DuplexStreaming, Service, "DeltaAggregatedResources", RequestMarshaller<DeltaDiscoveryRequest>(), ResponseMarshaller(ResponseReader.ReadDelta));

    private delegate XdsResponse Reader(ReadOnlySpan<byte> payload, long receivedAt);

    private static Marshaller<T> RequestMarshaller<T>()
        where T : IMessage<T>, IBufferMessage => new(
        (message, context) =>
        {
            var size = message.CalculateSize();
            Probe.Current?.RecordRequest(size);
            context.SetPayloadLength(size);
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        _ => throw new NotSupportedException("the simulated proxy never reads requests"));

    private static Marshaller<SotwRequestMessage> SotwRequestMarshaller() => new(
        (message, context) =>
        {
            var size = message.Size;
            Probe.Current?.RecordRequest(size);
            context.SetPayloadLength(size);
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        _ => throw new NotSupportedException("the simulated proxy never reads requests"));

    private static Marshaller<XdsResponse> ResponseMarshaller(Reader read) => new(
        (_, _) => throw new NotSupportedException("the simulated proxy never sends responses"),
        context =>
        {
            var receivedAt = Stopwatch.GetTimestamp();
            var payload = context.PayloadAsReadOnlySequence();
            if (payload.IsSingleSegment)
            {
                return read(payload.FirstSpan, receivedAt);
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)payload.Length);
            try
            {
                payload.CopyTo(buffer);
                return read(buffer.AsSpan(0, (int)payload.Length), receivedAt);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
}
