using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>Services translate as istiod 1.10's kube conversion does; what Kubernetes would refuse is refused with a reason.</summary>
public sealed class ServiceTranslationTests
{
    private readonly MeshObjectTranslator _translator = new();

    [Theory]
    [InlineData(8080, "http", null, "TCP", MeshProtocol.Http)]
    [InlineData(8080, "http2-web", null, "TCP", MeshProtocol.Http2)]
    [InlineData(8080, "grpc-web-ui", null, "TCP", MeshProtocol.GrpcWeb)]
    [InlineData(8080, "grpc-api", null, "TCP", MeshProtocol.Grpc)]
    [InlineData(8080, "web", "HTTP", "TCP", MeshProtocol.Http)]
    [InlineData(8080, "http-web", "kubernetes.io/h2c", "TCP", MeshProtocol.Unsupported)]
    [InlineData(8080, "tcp-ui", "grpc-web", "TCP", MeshProtocol.GrpcWeb)]
    [InlineData(8080, "http-db", "mysql", "TCP", MeshProtocol.Mysql)]
    [InlineData(8080, null, null, "TCP", MeshProtocol.Unsupported)]
    [InlineData(8080, "web", null, "TCP", MeshProtocol.Unsupported)]
    [InlineData(3306, null, null, "TCP", MeshProtocol.Tcp)]
    [InlineData(27017, "db", null, "TCP", MeshProtocol.Tcp)]
    [InlineData(8080, "thrift-rpc", null, "TCP", MeshProtocol.Thrift)]
    [InlineData(53, "dns", null, "UDP", MeshProtocol.Udp)]
    [InlineData(8080, "udp-x", null, "TCP", MeshProtocol.Udp)]
    public void Port_protocols_follow_istio_1_10(int port, string? name, string? appProtocol, string transport, MeshProtocol expected)
    {
        var service = Service("web", new V1ServicePort { Port = port, Name = name, AppProtocol = appProtocol, Protocol = transport });

        Translate(service).Ports.Single().Protocol.Should().Be(expected);
    }

    [Fact]
    public void An_external_name_service_resolves_by_dns_and_a_headless_one_passes_through()
    {
        var external = Service("web", new V1ServicePort { Name = "http", Port = 80 });
        external.Spec.Type = "ExternalName";
        external.Spec.ExternalName = "web.example.test.";
        var headless = Service("store", new V1ServicePort { Name = "http", Port = 80 });
        headless.Spec.ClusterIP = "None";
        var nodePort = Service("shop", new V1ServicePort { Name = "http", Port = 80 });
        nodePort.Spec.Type = "NodePort";
        nodePort.Spec.ClusterIP = "10.96.0.5";

        var translated = Translate(external);
        translated.Type.Should().Be(MeshServiceType.ExternalName);
        translated.ExternalName.Should().Be("web.example.test");
        translated.Resolution.Should().Be(MeshResolution.DnsLb);
        Translate(headless).Resolution.Should().Be(MeshResolution.Passthrough);
        Translate(nodePort).Should().Match<MeshService>(s => s.Type == MeshServiceType.NodePort && s.Resolution == MeshResolution.ClientSideLb);
    }

    [Theory]
    [InlineData("ExternalName", null, null, "needs externalName")]
    [InlineData("ExternalName", "Web_Example", null, "needs externalName")]
    [InlineData("ExternalName", "web.example.test", "10.96.0.9", "must not have a clusterIP")]
    [InlineData("Bogus", null, null, "type 'Bogus'")]
    [InlineData("1", null, null, "type '1'")]
    public void Services_kubernetes_would_refuse_are_refused_with_the_reason(string type, string? externalName, string? clusterIp, string reason)
    {
        var service = Service("web", new V1ServicePort { Name = "http", Port = 80 });
        service.Spec.Type = type;
        service.Spec.ExternalName = externalName;
        service.Spec.ClusterIP = clusterIp;

        var result = _translator.Translate(service);

        result.Object.Should().BeNull();
        result.Error.Should().Contain("Service default/web").And.Contain(reason);
    }

    private MeshService Translate(V1Service service)
    {
        var result = _translator.Translate(service);
        result.Error.Should().BeNull();
        return (MeshService)result.Object!;
    }

    private static V1Service Service(string name, V1ServicePort port) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { Ports = [port] },
    };
}
