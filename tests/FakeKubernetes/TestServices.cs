using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes;

/// <summary>Services as cluster tests create them: one named port and one EndpointSlice with a ready endpoint.</summary>
public static class TestServices
{
    /// <param name="address">Use 192.0.2.x (TEST-NET-1): a real API server refuses loopback endpoint addresses.</param>
    public static async Task CreateWithEndpointAsync(IKubernetes client, string ns, string name, int port, int targetPort, string address)
    {
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = targetPort }] },
            },
            ns);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = $"{name}-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = targetPort }],
                Endpoints = [new V1Endpoint { Addresses = [address], Conditions = new V1EndpointConditions { Ready = true } }],
            },
            ns);
    }
}
