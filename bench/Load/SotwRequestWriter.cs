using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Envoy.Config.Core.V3;
using Google.Protobuf;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// A SotW DiscoveryRequest as a simulated proxy sends it, written straight to the wire in the bytes
/// Google.Protobuf writes for the same DiscoveryRequest (fields in number order: version_info 1,
/// node 2, resource_names 3, type_url 4, response_nonce 5). The resource_names field of a name list
/// is encoded once and shared: an Envoy ACK repeats every subscribed EDS name (~50 KB at 1,000
/// services), and encoding it afresh for each of thousands of ACKs made the load generator, which
/// shares the cores with the server it measures, spend its time in protobuf serialization.
/// </summary>
internal sealed record SotwRequestMessage(string TypeUrl, string Version, string Nonce, Node? Node, string[] Names)
{
    private static readonly ConditionalWeakTable<string[], byte[]> EncodedNames = new();

    /// <summary>The serialized request, as <c>DiscoveryRequest.ToByteArray()</c> would write it.</summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Size of the serialized request, bytes.</summary>
    public int Size =>
        StringFieldSize(Version) + (Node is null ? 0 : 1 + CodedOutputStream.ComputeMessageSize(Node)) +
        NamesField(Names).Length + StringFieldSize(TypeUrl) + StringFieldSize(Nonce);

    public void WriteTo(IBufferWriter<byte> writer)
    {
        WriteString(writer, 1, Version);
        if (Node is not null)
        {
            var node = Node.ToByteArray();
            WriteTag(writer, 2, node.Length);
            writer.Write(node);
        }

        writer.Write(NamesField(Names));
        WriteString(writer, 4, TypeUrl);
        WriteString(writer, 5, Nonce);
    }

    /// <summary>The encoded resource_names field (every name, tag and length included) of a shared name list.</summary>
    private static byte[] NamesField(string[] names) =>
        names.Length == 0 ? [] : EncodedNames.GetValue(names, Encode);

    private static byte[] Encode(string[] names)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var name in names)
        {
            WriteString(buffer, 3, name, always: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>proto3: an empty string field is not written (a repeated one always is).</summary>
    private static void WriteString(IBufferWriter<byte> writer, int field, string value, bool always = false)
    {
        if (value.Length == 0 && !always)
        {
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteTag(writer, field, length);
        var span = writer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        writer.Advance(length);
    }

    private static void WriteTag(IBufferWriter<byte> writer, int field, int length)
    {
        var span = writer.GetSpan(11);
        span[0] = (byte)((field << 3) | 2);
        var i = 1;
        var value = (uint)length;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        writer.Advance(i);
    }

    private static int StringFieldSize(string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        return 1 + CodedOutputStream.ComputeLengthSize(length) + length;
    }
}
