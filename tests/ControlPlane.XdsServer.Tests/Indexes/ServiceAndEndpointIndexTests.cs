using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>
/// Services by host (istiod 1.10's ServiceIndex and IsServiceVisible, push_context.go) and
/// endpoints' pod labels for subsets (istiod's Kubernetes endpoints carry their pod's labels).
/// </summary>
public sealed class ServiceAndEndpointIndexTests
{
    [Fact]
    public void Kubernetes_services_are_seen_everywhere_and_service_entry_hosts_by_their_export_to()
    {
        var index = ServiceIndex.Of(Of(
            Manifests.Service("reviews", "app", "10.96.0.1", 9080),
            IstioObject("ServiceEntry", "app", "private-api", "  hosts: [api.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n  exportTo: [.]\n"),
            IstioObject("ServiceEntry", "ops", "shared", "  hosts: [db.example.com]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n  resolution: DNS\n  exportTo: [app]\n")));

        index.VisibleFrom("app").Select(s => s.Hostname).Should().Equal("api.example.com", "db.example.com", "reviews.app.svc.cluster.local");
        index.VisibleFrom("other").Select(s => s.Hostname).Should().Equal("reviews.app.svc.cluster.local");
        index.Find("reviews.app.svc.cluster.local", "other")!.Service!.Key.Should().Be(new ObjectKey("app", "reviews"));
        index.Find("api.example.com", "other").Should().BeNull();
        var entry = index.Find("db.example.com", "app")!;
        entry.Namespace.Should().Be("ops");
        entry.ServiceEntry!.Key.Name.Should().Be("shared");
    }

    [Fact]
    public void Subsets_select_endpoints_by_their_pods_labels()
    {
        var mesh = Of(
            Manifests.Service("reviews", "app", "10.96.0.1", 9080),
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: reviews-1, namespace: app, labels: {kubernetes.io/service-name: reviews}}
            addressType: IPv4
            ports: [{name: http, port: 9080}]
            endpoints:
            - {addresses: [10.1.0.1], targetRef: {kind: Pod, name: reviews-v1}}
            - {addresses: [10.1.0.2], targetRef: {kind: Pod, name: reviews-v2}}
            - {addresses: [10.1.0.3]}
            """,
            Pod("reviews-v1", "v1"),
            Pod("reviews-v2", "v2"),
            Pod("elsewhere", "v1", ns: "other"));
        var index = EndpointLabelIndex.Of(mesh);
        var service = new ObjectKey("app", "reviews");

        index.Select(service, Labels(("version", "v1"))).Select(e => e.Endpoint.Addresses[0]).Should().Equal("10.1.0.1");
        index.Select(service, Labels(("app", "reviews"))).Select(e => e.Endpoint.Addresses[0]).Should().Equal("10.1.0.1", "10.1.0.2");
        index.Select(service, ValueMap<string>.Empty).Should().HaveCount(3, "an empty selector selects every endpoint");
        index.Select(service, Labels(("version", "v1"))).Single().Labels["app"].Should().Be("reviews");
    }

    private static ValueMap<string> Labels(params (string Key, string Value)[] labels) =>
        ValueMap<string>.From(labels.Select(l => KeyValuePair.Create(l.Key, l.Value)));

    private static string Pod(string name, string version, string ns = "app") => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: {{ns}}, labels: {app: reviews, version: {{version}} } }
        """;
}
