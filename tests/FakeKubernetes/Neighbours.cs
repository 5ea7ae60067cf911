using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// Other tenants of a shared cluster, made on purpose so that a cluster test proves it scopes what it
/// counts and waits for: a previous run's namespace still Terminating with objects of the same names,
/// and a tenant that keeps creating Services while the test runs (<see cref="ServiceChurn"/>).
/// </summary>
public static class Neighbours
{
    /// <summary>
    /// A namespace holding Services (each with a ready EndpointSlice) of the given names, then deleted:
    /// it stays Terminating, its objects still listed and watched, as a previous run's does.
    /// </summary>
    public static async Task<string> LeaveTerminatingAsync(TestCluster cluster, params string[] serviceNames)
    {
        var ns = await cluster.CreateNamespaceAsync("previous-run");
        var address = 1;
        foreach (var name in serviceNames)
        {
            await TestServices.CreateWithEndpointAsync(cluster.Client, ns, name, port: 80, targetPort: 8080, address: $"192.0.2.{200 + address++}");
        }

        await cluster.Client.CoreV1.DeleteNamespaceAsync(ns);
        return ns;
    }

    /// <summary>Starts a tenant creating Services with endpoints in a namespace of its own until it is disposed.</summary>
    public static Task<ServiceChurn> StartChurnAsync(TestCluster cluster) => ServiceChurn.StartAsync(cluster);
}
