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

    /// <summary>The largest span asked of the response pipe at once: 64 KiB, below the large-object heap's 85,000 bytes.</summary>
    private const int MaxWriteSpan = 64 * 1024;

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
        // In spans of up to 64 KiB: Kestrel's response pipe hands a request over its 4 KiB block
        // size a pooled array of that size, where writing block by block took a pipe lock and a
        // block for every 4 KiB (a hundred of each for a 400 KiB CDS response). Larger spans would
        // be large-object-heap arrays, which only a full GC frees: in reconnect storms they
        // raised peak RSS by 200 MB.
        ReadOnlySpan<byte> body = response.Prepared.Body;
        while (body.Length > 0)
        {
            var span = writer.GetSpan(Math.Min(body.Length, MaxWriteSpan));
            var chunk = Math.Min(span.Length, body.Length);
            body[..chunk].CopyTo(span);
            writer.Advance(chunk);
            body = body[chunk..];
        }

        var nonceBytes = Encoding.UTF8.GetByteCount(response.Nonce);
        var tail = writer.GetSpan(1 + 5 + nonceBytes);
        tail[0] = NonceTag;
        var length = WriteVarint(tail[1..], (uint)nonceBytes);
        Encoding.UTF8.GetBytes(response.Nonce, tail[(1 + length)..]);
        writer.Advance(1 + length + nonceBytes);
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
