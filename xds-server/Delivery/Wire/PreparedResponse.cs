using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>
/// A DiscoveryResponse or DeltaDiscoveryResponse serialized once, without its nonce: every stream
/// that sends the same thing sends these bytes, with its own nonce appended (field 5 in both
/// messages; protobuf fields may come in any order, so the nonce can follow the others).
/// </summary>
public sealed class PreparedResponse
{
    private PreparedResponse(string typeUrl, string version, int count, byte[] body)
    {
        TypeUrl = typeUrl;
        Version = version;
        Count = count;
        Body = body;
    }

    public string TypeUrl { get; }

    /// <summary>
    /// State of the world: version_info, the digest of every resource the proxy holds after this
    /// response. Delta: system_version_info, the same digest, for debugging only.
    /// </summary>
    public string Version { get; }

    /// <summary>Resources in the response (not counting removed names).</summary>
    public int Count { get; }

    /// <summary>The serialized response without field 5 (nonce), in bytes.</summary>
    public byte[] Body { get; }

    /// <summary>A state-of-the-world response carrying <paramref name="resources"/>, in order.</summary>
    /// <param name="controlPlaneId">control_plane.identifier of the response.</param>
    public static PreparedResponse StateOfTheWorld(string typeUrl, string version, IReadOnlyCollection<XdsResource> resources, string controlPlaneId)
    {
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

        return new PreparedResponse(typeUrl, version, resources.Count, response.ToByteArray());
    }

    /// <summary>A delta response: <paramref name="updated"/> resources with their versions, and removed names.</summary>
    public static PreparedResponse Delta(string typeUrl, string systemVersion, IReadOnlyCollection<XdsResource> updated, IEnumerable<string> removed, string controlPlaneId)
    {
        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = typeUrl,
            SystemVersionInfo = systemVersion,
            ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = controlPlaneId },
            RemovedResources = { removed },
        };
        foreach (var resource in updated)
        {
            response.Resources.Add(new Resource { Name = resource.Name, Version = resource.Version, Resource_ = resource.Body });
        }

        return new PreparedResponse(typeUrl, systemVersion, updated.Count, response.ToByteArray());
    }
}
