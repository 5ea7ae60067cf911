using System.Buffers;
using System.Text;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>
/// The ADS methods as this server binds them: the envoy.service.discovery.v3 wire format, with
/// responses written from prepared bytes (<see cref="PreparedResponse"/>) instead of serialized per stream.
/// </summary>
public static class AdsWire
{
    public const string ServiceName = "envoy.service.discovery.v3.AggregatedDiscoveryService";

    /// <summary>DiscoveryResponse.nonce: field 5, length-delimited.</summary>
    private const byte NonceTag = (5 << 3) | 2;

    public static Method<SotwRequest, OutgoingResponse> StreamAggregatedResources { get; } = new(
        MethodType.DuplexStreaming, ServiceName, "StreamAggregatedResources", Marshallers.Create<SotwRequest>((SotwRequest _, SerializationContext _) => throw new NotSupportedException("the server never writes requests"), (DeserializationContext context) => SotwRequest.Parse(context.PayloadAsReadOnlySequence(), NameSets.Shared)), Marshallers.Create<OutgoingResponse>(Serialize, _ => throw new NotSupportedException("the server never reads responses")));

    public static Method<DeltaDiscoveryRequest, OutgoingResponse> DeltaAggregatedResources { get; } = new(
        MethodType.DuplexStreaming, ServiceName, "DeltaAggregatedResources", MessageMarshaller(DeltaDiscoveryRequest.Parser), Marshallers.Create<OutgoingResponse>(Serialize, _ => throw new NotSupportedException("the server never reads responses")));

    /// <summary>The wire bytes of <paramref name="response"/>, as a client receives them.</summary>
    public static byte[] ToBytes(OutgoingResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(response, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Serialize(OutgoingResponse response, SerializationContext context)
    {
        context.SetPayloadLength(Length(response));
        Write(response, context.GetBufferWriter());
        context.Complete();
    }

    private static int Length(OutgoingResponse response)
    {
        var nonceBytes = Encoding.UTF8.GetByteCount(response.Nonce);
        return response.Prepared.Body.Length + 1 + CodedOutputStream.ComputeLengthSize(nonceBytes) + nonceBytes;
    }

    private static void Write(OutgoingResponse response, IBufferWriter<byte> writer)
    {
        // One span for the whole message: Kestrel's response pipe hands a request over its 4 KiB
        // block size one pooled array, where writing block by block took a pipe lock and a block
        // for every 4 KiB (a hundred of each for a 400 KiB CDS response).
        var body = response.Prepared.Body;
        var nonceBytes = Encoding.UTF8.GetByteCount(response.Nonce);
        var span = writer.GetSpan(body.Length + 1 + 5 + nonceBytes);
        body.CopyTo(span);
        span[body.Length] = NonceTag;
        var length = WriteVarint(span[(body.Length + 1)..], (uint)nonceBytes);
        Encoding.UTF8.GetBytes(response.Nonce, span[(body.Length + 1 + length)..]);
        writer.Advance(body.Length + 1 + length + nonceBytes);
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }

    private static Marshaller<T> MessageMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T> =>
        Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
