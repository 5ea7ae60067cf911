using System.Net;
using System.Net.Sockets;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>A loopback port nobody listens on, for a webhook that cannot be reached.</summary>
public static class UnusedPort
{
    public static int Find()
    {
        // The OS hands out a free port; releasing it at once leaves it closed (connection refused).
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
