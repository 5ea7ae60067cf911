using ControlPlane.Mesh.Kubernetes;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using k8s;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>Names, labels and addresses are held to the API server's rules; an object that breaks them is skipped with the reason.</summary>
public sealed class NameValidationTests
{
    private readonly MeshObjectTranslator _translator = new();

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: 'a|b', namespace: 'x:y'}\nspec: {ports: [{port: 81}]}", "not a valid namespace name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: 'a|b'}\nspec: {ports: [{port: 81}]}", "metadata.name 'a|b' is not a valid Service name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: 9lives}\nspec: {ports: [{port: 81}]}", "not a valid Service name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: Reviews}\nspec: {ports: [{port: 81}]}", "not a valid Service name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{name: HTTP, port: 81}]}", "spec.ports[0].name 'HTTP' is not a valid port name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{name: http, port: 81, targetPort: http--web}]}", "spec.ports[0].targetPort 'http--web' is not a valid port name")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{name: http, port: 81, targetPort: a-very-long-port-name}]}", "spec.ports[0].targetPort")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {'app|x': web}, ports: [{port: 81}]}", "spec.selector: key 'app|x'")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {app: 'web server'}}\nspec: {ports: [{port: 81}]}", "metadata.labels['app']: value 'web server'")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: [{addresses: ['fd00::1']}]", "endpoints[0].addresses 'fd00::1' is not an IPv4 address")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\naddressType: IPv6\nendpoints: [{addresses: ['10.0.0.1']}]", "endpoints[0].addresses '10.0.0.1' is not an IPv6 address")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web_1, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: []", "metadata.name 'web_1' is not a valid name")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: 'a|b'}}\naddressType: IPv4\nendpoints: []", "metadata.labels['kubernetes.io/service-name']: value 'a|b'")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {'-bad': x}}", "metadata.labels: key '-bad'")]
    [InlineData("apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: 'vs|1'}\nspec: {hosts: [web]}", "VirtualService 'default'/'vs|1': metadata.name")]
    public void Invalid_names_labels_and_addresses_are_refused_with_the_field(string yaml, string message)
    {
        var document = KubernetesManifestReader.Read(yaml).Single();
        document.Error.Should().BeNull();

        var result = _translator.Translate(document.Object!);

        result.Error.Should().NotBeNull().And.Contain(message);
        result.Error!.Length.Should().BeLessThan(600, "messages quote client text only in part");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: bookinfo-2, labels: {app.kubernetes.io/name: reviews, version: v1.2_b}}\nspec: {selector: {app: reviews}, ports: [{name: http-web, port: 9080, targetPort: http}]}")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: reviews-abc12, labels: {kubernetes.io/service-name: reviews}}\naddressType: IPv6\nports: [{name: http-web, port: 9080}]\nendpoints: [{addresses: ['fd00:10:244::5']}]")]
    public void Valid_objects_pass(string yaml)
    {
        _translator.Translate(KubernetesManifestReader.Read(yaml).Single().Object!).Error.Should().BeNull();
    }

    [Fact]
    public async Task A_service_with_an_invalid_name_is_skipped_with_the_reason_and_the_rest_is_served()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = Manifests.Join(
                Manifests.Service("good", "default", "10.96.0.1", 81),
                "apiVersion: v1\nkind: Service\nmetadata: {name: 'a|b', namespace: 'x:y'}\nspec: {clusterIP: 10.96.0.2, ports: [{port: 81}]}"),
        });

        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        var clusters = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).ToList();

        clusters.Should().Contain("outbound|81||good.default.svc.cluster.local");
        clusters.Should().NotContain(c => c.Contains('|') && c.Contains("a|b", StringComparison.Ordinal));
        await server.Logs.WaitForAsync("mesh.yaml", "not a valid namespace name");
        server.Logs.Events.Should().Contain(e => e.Level == LogLevel.Error && e.Message.Contains("'x:y'", StringComparison.Ordinal));
    }
}
