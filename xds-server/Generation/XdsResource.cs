using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// A named Envoy resource, serialized once. Its version is a digest of its bytes, so identical
/// content always has the same version and an unchanged resource is never sent again.
/// </summary>
public sealed class XdsResource
{
    private XdsResource(string name, Any body, string version)
    {
        Name = name;
        Body = body;
        Version = version;
    }

    public string Name { get; }

    public Any Body { get; }

    public string Version { get; }

    public static XdsResource Create(string name, IMessage message)
    {
        var body = Any.Pack(message);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body.Value.Span, digest);
        return new XdsResource(name, body, Convert.ToHexStringLower(digest[..8]));
    }
}
