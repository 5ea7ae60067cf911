namespace ControlPlane.XdsServer.Generation;

/// <summary>The xDS resource types this server generates, in the order a push sends them.</summary>
public static class TypeUrls
{
    public const string Cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public const string Endpoint = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    public const string Listener = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public const string Route = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

    /// <summary>Clusters before their endpoints, listeners before their routes: Envoy warms in that order.</summary>
    public static IReadOnlyList<string> PushOrder { get; } = [Cluster, Endpoint, Listener, Route];

    public static bool IsKnown(string typeUrl) => typeUrl is Cluster or Endpoint or Listener or Route;

    public static string ShortName(string typeUrl) => typeUrl switch
    {
        Cluster => "CDS",
        Endpoint => "EDS",
        Listener => "LDS",
        Route => "RDS",
        _ => typeUrl,
    };
}
