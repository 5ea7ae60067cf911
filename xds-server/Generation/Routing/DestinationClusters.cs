using System.Globalization;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>Cluster names of route destinations, as istiod 1.10's GetDestinationCluster and BuildSubsetKey make them.</summary>
public static class DestinationClusters
{
    /// <summary><c>outbound|PORT|SUBSET|HOST</c>; the subset part is empty for the whole service.</summary>
    public static string Outbound(int port, string? subset, string hostname) =>
        string.Create(CultureInfo.InvariantCulture, $"outbound|{port}|{subset}|{hostname}");

    /// <summary>
    /// The cluster of <paramref name="destination"/>: its explicit port, else the only port of its
    /// service (when <paramref name="servicePortCount"/> is 1, with <paramref name="onlyPort"/>), else
    /// the port the traffic came in on.
    /// </summary>
    public static string For(Destination destination, int listenerPort, int servicePortCount = 0, int onlyPort = 0)
    {
        var port = destination.Port is { } selector ? (int)selector.Number
            : servicePortCount == 1 ? onlyPort
            : listenerPort;
        return Outbound(port, destination.Subset, destination.Host);
    }
}
