using System.Buffers;
using System.Runtime.CompilerServices;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// A SotW DiscoveryRequest as a simulated proxy sends it, in the bytes Google.Protobuf writes for
/// the whole DiscoveryRequest: fields go in number order (version_info 1, node 2, resource_names 3,
/// type_url 4, response_nonce 5), so the request is the fields before the names, the names, and the
/// fields after them, each serialized by Google.Protobuf. The resource_names field of a name list is
/// serialized once and shared: an Envoy ACK repeats every subscribed EDS name (~50 KB at 1,000
/// services), and serializing it afresh for each of thousands of ACKs made the load generator, which
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
    public int Size => Head.CalculateSize() + NamesField(Names).Length + Tail.CalculateSize();

    public void WriteTo(IBufferWriter<byte> writer)
    {
        Head.WriteTo(writer);
        writer.Write(NamesField(Names));
        Tail.WriteTo(writer);
    }

    /// <summary>The fields numbered below resource_names.</summary>
    private DiscoveryRequest Head => new() { VersionInfo = Version, Node = Node };

    /// <summary>The fields numbered above resource_names.</summary>
    private DiscoveryRequest Tail => new() { TypeUrl = TypeUrl, ResponseNonce = Nonce };

    /// <summary>The serialized resource_names field (every name, tag and length included) of a shared name list.</summary>
    private static byte[] NamesField(string[] names) =>
        names.Length == 0 ? [] : EncodedNames.GetValue(names, Encode);

    private static byte[] Encode(string[] names)
    {
        var request = new DiscoveryRequest();
        request.ResourceNames.AddRange(names);
        return request.ToByteArray();
    }
}
