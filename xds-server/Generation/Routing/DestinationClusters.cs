using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>Cluster names of route destinations, as istiod 1.10's GetDestinationCluster makes them (names from <see cref="MeshNames.OutboundSubsetCluster"/>).</summary>
public static class DestinationClusters
{
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
        return MeshNames.OutboundSubsetCluster(port, destination.Subset, destination.Host);
    }
}
