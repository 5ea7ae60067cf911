using ControlPlane.XdsServer.Generation;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Conformance;

public static class ResourceNames
{
    /// <summary>The name inside a packed resource, by its type.</summary>
    public static string Of(Any resource) => resource.TypeUrl switch
    {
        TypeUrls.Cluster => resource.Unpack<Cluster>().Name,
        TypeUrls.Endpoint => resource.Unpack<ClusterLoadAssignment>().ClusterName,
        TypeUrls.Listener => resource.Unpack<Listener>().Name,
        TypeUrls.Route => resource.Unpack<RouteConfiguration>().Name,
        _ => throw new ArgumentException($"unexpected resource type {resource.TypeUrl}"),
    };
}
