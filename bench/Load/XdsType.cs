namespace ControlPlane.Benchmarks.Load;

/// <summary>The four xDS types a sidecar subscribes to, in Envoy's warming order.</summary>
internal enum XdsType
{
    Cluster = 0,
    Endpoint = 1,
    Listener = 2,
    Route = 3,
}

/// <summary>Type URLs of the xDS types and of the resources inside them.</summary>
internal static class XdsTypes
{
    public const int Count = 4;

    public static readonly string[] Urls =
    [
        "type.googleapis.com/envoy.config.cluster.v3.Cluster",
        "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
        "type.googleapis.com/envoy.config.listener.v3.Listener",
        "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
    ];

    public static readonly string[] ShortNames = ["CDS", "EDS", "LDS", "RDS"];

    private static readonly byte[][] UrlBytes = Urls.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    public const string HttpConnectionManagerUrl =
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

    public static readonly byte[] HttpConnectionManagerUrlBytes = System.Text.Encoding.UTF8.GetBytes(HttpConnectionManagerUrl);

    /// <summary>The type of a type URL given as UTF-8, or null for a type a sidecar does not subscribe to.</summary>
    public static XdsType? Parse(ReadOnlySpan<byte> url)
    {
        for (var i = 0; i < UrlBytes.Length; i++)
        {
            if (url.SequenceEqual(UrlBytes[i]))
            {
                return (XdsType)i;
            }
        }

        return null;
    }

    public static ReadOnlySpan<byte> UrlBytesOf(XdsType type) => UrlBytes[(int)type];
}
