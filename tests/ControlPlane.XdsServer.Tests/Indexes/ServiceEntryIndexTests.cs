using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Endpoint.V3;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>
/// ServiceEntries in the registry as istiod 1.10's serviceentry conversion makes them
/// (convertServices: a service per host and address; convertEndpoint), and their endpoints.
/// </summary>
public sealed class ServiceEntryIndexTests
{
    [Fact]
    public void An_entry_is_a_service_per_host_and_address_with_its_ports_resolution_and_location()
    {
        var index = ServiceIndex.Of(Of(IstioObject("ServiceEntry", "app", "db", """
              hosts: [db, db.example.com]
              addresses: [10.1.0.0/16, 192.168.0.7/32, "2001:db8::7/128"]
              ports: [{number: 5432, name: tcp, protocol: tcp}, {number: 8080, name: web, protocol: grpc-web, targetPort: 18080}]
              location: MESH_INTERNAL
              resolution: NONE
            """)));

        index.All.Select(s => (s.Hostname, s.Address)).Should().Equal(
            ("db", "10.1.0.0/16"), ("db", "192.168.0.7"), ("db", "2001:db8::7"),
            ("db.example.com", "10.1.0.0/16"), ("db.example.com", "192.168.0.7"), ("db.example.com", "2001:db8::7"));
        var service = index.All[1];
        service.Name.Should().Be("db", "istiod names an entry's service by its host, as written");
        service.Namespace.Should().Be("app");
        service.Resolution.Should().Be(MeshResolution.Passthrough);
        service.MeshExternal.Should().BeFalse();
        service.HasSingleAddress.Should().BeTrue();
        index.All[0].HasSingleAddress.Should().BeFalse();
        service.Ports.Should().Equal(new MeshServicePort("tcp", 5432, null, MeshProtocol.Tcp), new MeshServicePort("web", 8080, "18080", MeshProtocol.GrpcWeb));
    }

    [Fact]
    public void An_unchanged_entry_keeps_its_services_across_snapshots_and_namespaces_seeing_only_public_services_share_a_scope()
    {
        var mesh = new IndexMesh();
        var entry = IstioObject("ServiceEntry", "app", "api", "  hosts: [api.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n");
        var first = ServiceIndex.Of(mesh.Set(entry, Manifests.Service("web", "app", "10.96.0.1", 80)));
        var second = ServiceIndex.Of(mesh.Set(entry, Manifests.Service("web", "app", "10.96.0.1", 80), Manifests.Service("other", "app", "10.96.0.2", 80)));

        second.All.Single(s => s.Hostname == "api.example.com").Should().BeSameAs(first.All.Single(s => s.Hostname == "api.example.com"));
        second.All.Single(s => s.Hostname == "web.app.svc.cluster.local").Should().BeSameAs(first.All.Single(s => s.Hostname == "web.app.svc.cluster.local"));
        second.ScopeOf("app").Should().BeSameAs(second.ScopeOf("elsewhere")).And.BeSameAs(second.PublicScope);
    }

    [Fact]
    public void Entries_of_one_host_in_one_namespace_add_up_their_endpoints_and_the_first_gives_the_cluster()
    {
        var mesh = Of(
            IstioObject("ServiceEntry", "app", "api-a", "  hosts: [api.example.com]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1}]\n", 1),
            IstioObject("ServiceEntry", "app", "api-b", "  hosts: [api.example.com]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.2}]\n", 2));

        var config = new ConfigGenerator().Generate(mesh, new ProxyView(ProxyKind.Sidecar, "app", []));

        config.Clusters.Resources.Keys.Should().Contain("outbound|80||api.example.com");
        config.Endpoints.Find("outbound|80||api.example.com")!.Body.Unpack<ClusterLoadAssignment>().Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => e.Endpoint.Address.SocketAddress.Address).Should().Equal("10.0.0.1", "10.0.0.2");
    }

    [Fact]
    public void A_kubernetes_service_selects_workload_entries_with_labels_and_an_ip_and_a_named_target_port_they_declare()
    {
        var mesh = Of(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: details, namespace: app}
            spec:
              clusterIP: 10.96.0.9
              selector: {app: details}
              ports: [{name: http, port: 9080, targetPort: http-alt}]
            """,
            IstioObject("WorkloadEntry", "app", "with-port", "  address: 10.0.0.1\n  ports: {http-alt: 19080}\n  labels: {app: details}\n"),
            IstioObject("WorkloadEntry", "app", "without-port", "  address: 10.0.0.2\n  labels: {app: details}\n"),
            IstioObject("WorkloadEntry", "app", "by-name", "  address: vm.example.com\n  ports: {http-alt: 19080}\n  labels: {app: details}\n"),
            IstioObject("WorkloadEntry", "other", "elsewhere", "  address: 10.0.0.3\n  ports: {http-alt: 19080}\n  labels: {app: details}\n"));
        var details = ServiceIndex.Of(mesh).Find("details.app.svc.cluster.local", "app")!;

        WorkloadIndex.Of(mesh).EndpointsOf(details).Instances.Select(i => (i.Address, i.EndpointPort)).Should().Equal(("10.0.0.1", 19080));
        WorkloadIndex.Of(mesh).InstancesAt("10.0.0.1").Should().ContainSingle().Which.Should().Be(new ProxyServiceInstance(details, details.Ports[0], 19080));
    }

    [Fact]
    public void A_ready_pod_an_entry_selects_serves_its_ports_on_the_target_ports()
    {
        var mesh = Of(
            IstioObject("ServiceEntry", "app", "legacy", "  hosts: [legacy.example.internal]\n  ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}, {number: 5000, name: tcp, protocol: TCP}]\n  resolution: STATIC\n  workloadSelector: {labels: {app: legacy}}\n"),
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: legacy-0, namespace: app, labels: {app: legacy}}
            status: {phase: Running, podIP: 10.244.0.9, conditions: [{type: Ready, status: "True"}]}
            """);

        WorkloadIndex.Of(mesh).InstancesAt("10.244.0.9").Select(i => (i.Service.Hostname, i.Port.Name, i.EndpointPort))
            .Should().Equal(("legacy.example.internal", "tcp", 5000), ("legacy.example.internal", "http", 8080));
    }

    [Fact]
    public void Endpoints_keep_their_instance_while_what_they_are_made_of_does()
    {
        var mesh = new IndexMesh();
        var entry = IstioObject("ServiceEntry", "app", "billing", "  hosts: [billing.example.com]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  workloadSelector: {labels: {app: billing}}\n");
        var vm = IstioObject("WorkloadEntry", "app", "vm", "  address: 10.0.0.1\n  labels: {app: billing}\n");
        var first = mesh.Set(entry, vm);
        var firstEndpoints = WorkloadIndex.Of(first).EndpointsOf(ServiceIndex.Of(first).All.Single());

        var second = mesh.Set(entry, vm, IstioObject("WorkloadEntry", "app", "unrelated", "  address: 10.0.0.9\n  labels: {app: reporting}\n"));
        WorkloadIndex.Of(second).EndpointsOf(ServiceIndex.Of(second).All.Single()).Should().BeSameAs(firstEndpoints);

        var third = mesh.Set(entry, IstioObject("WorkloadEntry", "app", "vm", "  address: 10.0.0.2\n  labels: {app: billing}\n"));
        WorkloadIndex.Of(third).EndpointsOf(ServiceIndex.Of(third).All.Single()).Should().NotBeSameAs(firstEndpoints)
            .And.Subject.As<HostEndpoints>().Instances.Single().Address.Should().Be("10.0.0.2");
    }
}
