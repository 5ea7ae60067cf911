using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Small Envoy building blocks every builder uses.</summary>
internal static class EnvoyDefaults
{
    public static readonly Duration ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10));

    /// <summary>ADS as the config source; no initial fetch timeout, so warming waits for the server as Istio does.</summary>
    public static ConfigSource Ads() => new()
    {
        Ads = new AggregatedConfigSource(),
        InitialFetchTimeout = Duration.FromTimeSpan(TimeSpan.Zero),
        ResourceApiVersion = ApiVersion.V3,
    };

    public static Address SocketAddress(string ip, int port) => new()
    {
        SocketAddress = new SocketAddress { Address = ip, PortValue = (uint)port },
    };

    /// <summary>An endpoint's address as istiod's BuildAddress makes it: a socket address, or on port 0 a Unix socket (pipe) at that path.</summary>
    public static Address EndpointAddress(string address, int port) =>
        port != 0 ? SocketAddress(address, port) : new Address { Pipe = new Pipe { Path = address } };
}
