using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Services come back as a real API server stores them: typed, and with a cluster IP unless headless or ExternalName.</summary>
public sealed class ServiceApiTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_service_without_a_cluster_ip_gets_one_of_its_own_and_keeps_it()
    {
        var first = await _client.CoreV1.CreateNamespacedServiceAsync(Service("a"), "shop");
        var second = await _client.CoreV1.CreateNamespacedServiceAsync(Service("b"), "shop");

        first.Spec.Type.Should().Be("ClusterIP");
        System.Net.IPAddress.TryParse(first.Spec.ClusterIP, out _).Should().BeTrue();
        first.Spec.ClusterIPs.Should().Equal(first.Spec.ClusterIP);
        second.Spec.ClusterIP.Should().NotBe(first.Spec.ClusterIP);

        first.Spec.ClusterIP = null;
        first.Spec.ClusterIPs = null;
        var allocated = (await _client.CoreV1.ReadNamespacedServiceAsync("a", "shop")).Spec.ClusterIP;
        (await _client.CoreV1.ReplaceNamespacedServiceAsync(first, "a", "shop")).Spec.ClusterIP.Should().Be(allocated, "a cluster IP is immutable");
    }

    [Fact]
    public async Task Headless_and_external_name_services_get_no_cluster_ip()
    {
        var headless = Service("store");
        headless.Spec.ClusterIP = "None";
        var external = Service("web");
        external.Spec.Type = "ExternalName";
        external.Spec.ExternalName = "web.example.test";

        (await _client.CoreV1.CreateNamespacedServiceAsync(headless, "shop")).Spec.ClusterIP.Should().Be("None");
        (await _client.CoreV1.CreateNamespacedServiceAsync(external, "shop")).Spec.ClusterIP.Should().BeNull();
    }

    private static V1Service Service(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
    };
}
