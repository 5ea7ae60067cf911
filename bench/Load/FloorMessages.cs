using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The floor server's pre-serialized responses: real DiscoveryResponse / DeltaDiscoveryResponse
/// messages of a given type and size whose one resource is filler (a type no proxy parses), marked
/// with the push's version so the proxies' probe can tell which push it is.
/// </summary>
internal static class FloorMessages
{
    private const string FillerType = "type.googleapis.com/controlplane.bench.Filler";

    public static readonly byte[] SotwHello = Sotw(XdsType.Cluster, "floor-hello", 0);

    public static readonly byte[] DeltaHello = Delta(XdsType.Cluster, "floor-hello", 0);

    /// <summary>The version string of floor push <paramref name="id"/>; proxies look for it.</summary>
    public static string VersionOf(int id) => $"floor-push-{id}";

    /// <summary>A state-of-the-world response of about <paramref name="bytes"/> bytes.</summary>
    public static byte[] Sotw(XdsType type, string version, int bytes)
    {
        var response = new DiscoveryResponse { TypeUrl = XdsTypes.Urls[(int)type], VersionInfo = version, Nonce = version };
        if (bytes > 0)
        {
            var filler = new Any { TypeUrl = FillerType };
            response.Resources.Add(filler);
            filler.Value = ByteString.CopyFrom(new byte[Math.Max(0, bytes - response.CalculateSize() - 8)]);
        }

        return response.ToByteArray();
    }

    /// <summary>A delta response of about <paramref name="bytes"/> bytes.</summary>
    public static byte[] Delta(XdsType type, string version, int bytes)
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = XdsTypes.Urls[(int)type], SystemVersionInfo = version, Nonce = version };
        if (bytes > 0)
        {
            var filler = new Any { TypeUrl = FillerType };
            response.Resources.Add(new Resource { Name = "filler", Version = version, Resource_ = filler });
            filler.Value = ByteString.CopyFrom(new byte[Math.Max(0, bytes - response.CalculateSize() - 8)]);
        }

        return response.ToByteArray();
    }
}
