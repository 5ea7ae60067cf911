using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>
/// A state-of-the-world DiscoveryResponse serialized once, without its nonce: every stream that
/// sends the same resources at the same version sends these bytes, with its own nonce appended
/// (protobuf fields may come in any order, so the nonce field can follow the others).
/// </summary>
public sealed class PreparedResponse
{
    /// <param name="resources">What the response carries, in order.</param>
    /// <param name="controlPlaneId">control_plane.identifier of the response.</param>
    public PreparedResponse(string typeUrl, string version, IReadOnlyCollection<XdsResource> resources, string controlPlaneId)
    {
        TypeUrl = typeUrl;
        Version = version;
        Count = resources.Count;
        var response = new DiscoveryResponse
        {
            TypeUrl = typeUrl,
            VersionInfo = version,
            ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = controlPlaneId },
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(resource.Body);
        }

        Body = response.ToByteArray();
    }

    public string TypeUrl { get; }

    /// <summary>version_info: the digest of every resource the proxy holds after this response.</summary>
    public string Version { get; }

    /// <summary>Resources in the response.</summary>
    public int Count { get; }

    /// <summary>The serialized response without field 5 (nonce), in bytes.</summary>
    public byte[] Body { get; }
}
