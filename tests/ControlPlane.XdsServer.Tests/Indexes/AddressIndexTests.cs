using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>
/// The service ports served per workload address, made from the previous index: the same answers
/// as an index made from nothing and as the rule written out plainly, and untouched addresses kept.
/// </summary>
public sealed class AddressIndexTests
{
    private static readonly string[] Addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"];

    [Fact]
    public void An_endpoint_change_reindexes_only_the_addresses_it_touches()
    {
        var mesh = new IndexMesh();
        var first = mesh.Set(
            Manifests.Service("a", "app", "10.96.0.1", 80, targetPort: 8080), Manifests.EndpointSlice("a", "app", 8080, "http", "10.0.0.1"),
            Manifests.Service("b", "app", "10.96.0.2", 80, targetPort: 8080), Manifests.EndpointSlice("b", "app", 8080, "http", "10.0.0.2"));
        var second = mesh.Set(
            Manifests.Service("a", "app", "10.96.0.1", 80, targetPort: 8080), Manifests.EndpointSlice("a", "app", 8080, "http", "10.0.0.1"),
            Manifests.Service("b", "app", "10.96.0.2", 80, targetPort: 8080), Manifests.EndpointSlice("b", "app", 8080, "http", "10.0.0.2", "10.0.0.3"));

        var before = AddressIndex.Empty.With(ServiceIndex.Of(first).All, WorkloadIndex.Of(first).EndpointsOf);
        var after = before.With(ServiceIndex.Of(second).All, WorkloadIndex.Of(second).EndpointsOf);

        ImmutableCollectionsMarshal.AsArray(after.At("10.0.0.1")).Should().BeSameAs(ImmutableCollectionsMarshal.AsArray(before.At("10.0.0.1")), "service a's endpoints did not change");
        after.At("10.0.0.3").Should().ContainSingle().Which.Service.Name.Should().Be("b");
        after.At("10.0.0.2").Should().ContainSingle().Which.Service.Name.Should().Be("b");
    }

    [Fact]
    public void An_index_made_from_the_previous_one_answers_as_one_made_from_nothing_and_as_the_rule_says()
    {
        var mesh = new IndexMesh();
        var steps = new[]
        {
            Step(sliceA: ["10.0.0.1", "10.0.0.2"], withB: true, entryEndpoints: ["10.0.0.1", "10.0.0.3"]),
            Step(sliceA: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], withB: true, entryEndpoints: ["10.0.0.1", "10.0.0.3"]),
            Step(sliceA: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], withB: false, entryEndpoints: ["10.0.0.1", "10.0.0.3"]),
            Step(sliceA: ["10.0.0.2"], withB: true, entryEndpoints: ["10.0.0.4"], bPortName: "grpc"),
            Step(sliceA: ["10.0.0.1", "10.0.0.1"], withB: true, entryEndpoints: ["10.0.0.1", "10.0.0.2"], secondSliceA: ["10.0.0.1", "10.0.0.5"]),
            Step(sliceA: [], withB: false, entryEndpoints: []),
        };

        var previous = AddressIndex.Empty;
        foreach (var documents in steps)
        {
            var snapshot = mesh.Set(documents);
            var registry = ServiceIndex.Of(snapshot).All;
            var workloads = WorkloadIndex.Of(snapshot);
            var made = previous.With(registry, workloads.EndpointsOf);
            var fresh = AddressIndex.Empty.With(registry, workloads.EndpointsOf);
            foreach (var address in Addresses)
            {
                var expected = Rule(registry, workloads, address);
                made.At(address).Should().Equal(expected, $"at {address}, made from the previous index");
                fresh.At(address).Should().Equal(expected, $"at {address}, made from nothing");
            }

            previous = made;
        }

        var firstStep = AddressIndex.Empty.With(ServiceIndex.Of(mesh.Set(steps[0])).All, WorkloadIndex.Of(mesh.Current).EndpointsOf);
        firstStep.At("10.0.0.1").Select(i => (i.Service.Name, i.Port.Name)).Should().Equal(("a", "http"), ("a", "metrics"), ("b", "http"), ("ext.example.com", "http"));
        firstStep.At("10.0.0.2").Select(i => (i.Service.Name, i.Port.Name)).Should().Equal(("a", "http"), ("a", "metrics"), ("b", "http"), ("c", "http"));
    }

    /// <summary>
    /// Services a (ports http and metrics, both on 8080 at the workload), b (http on 8080) and c
    /// (selecting WorkloadEntry vm at 10.0.0.2), and ServiceEntry ext (STATIC, its endpoints).
    /// </summary>
    private static string[] Step(string[] sliceA, bool withB, string[] entryEndpoints, string bPortName = "http", string[]? secondSliceA = null)
    {
        var documents = new List<string>
        {
            """
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: app}
            spec:
              clusterIP: 10.96.0.1
              ports: [{name: http, port: 80, targetPort: 8080}, {name: metrics, port: 9090, targetPort: 8080}]
            """,
            Manifests.EndpointSlice("a", "app", 8080, "http", sliceA).Replace("ports:\n- name: http\n  port: 8080", "ports:\n- name: http\n  port: 8080\n- name: metrics\n  port: 8080"),
            """
            apiVersion: v1
            kind: Service
            metadata: {name: c, namespace: app}
            spec:
              clusterIP: 10.96.0.3
              selector: {app: c}
              ports: [{name: http, port: 80, targetPort: 8080}]
            """,
            IstioObject("WorkloadEntry", "app", "vm", "  address: 10.0.0.2\n  labels: {app: c}\n"),
        };
        if (secondSliceA is not null)
        {
            documents.Add(Manifests.EndpointSliceNamed("a-second", "a", "app", 8080, "http", secondSliceA));
        }

        if (withB)
        {
            documents.Add(Manifests.Service("b", "app", "10.96.0.2", 80, bPortName, 8080));
            documents.Add(Manifests.EndpointSlice("b", "app", 8080, bPortName, "10.0.0.1", "10.0.0.2"));
        }

        if (entryEndpoints.Length > 0)
        {
            var endpoints = string.Join(", ", entryEndpoints.Select(a => $"{{address: {a}}}"));
            documents.Add(IstioObject("ServiceEntry", "app", "ext", $"  hosts: [ext.example.com]\n  ports: [{{number: 80, name: http, protocol: HTTP, targetPort: 8080}}]\n  resolution: STATIC\n  endpoints: [{endpoints}]\n"));
        }

        return [.. documents];
    }

    /// <summary>
    /// The rule, written out plainly: EndpointSlice instances by workload port then service key,
    /// then the other instances at IPs (Kubernetes services' first) by workload port in registry
    /// order, without duplicates.
    /// </summary>
    private static List<ProxyServiceInstance> Rule(ImmutableArray<HostService> registry, WorkloadIndex workloads, string address)
    {
        var fromSlices = new List<ProxyServiceInstance>();
        var others = new List<(ProxyServiceInstance Instance, int Group)>();
        foreach (var service in registry)
        {
            var endpoints = workloads.EndpointsOf(service);
            if (service.Service is { } kubernetes)
            {
                fromSlices.AddRange(
                    from slice in endpoints.Slices
                    from endpoint in slice.Endpoints
                    from a in endpoint.Addresses
                    where a == address
                    from port in kubernetes.Ports
                    let endpointPort = EndpointPorts.Resolve(port, slice)
                    where endpointPort is not null
                    select new ProxyServiceInstance(service, port, endpointPort!.Value));
            }

            others.AddRange(
                from instance in endpoints.Instances
                where instance.Address == address && instance.IsIp
                let port = service.Ports.FirstOrDefault(p => p.Name == instance.ServicePortName)
                where port is not null
                select (new ProxyServiceInstance(service, port, instance.EndpointPort, instance.Locality), service.IsKubernetes ? 0 : 1));
        }

        return fromSlices.OrderBy(i => i.EndpointPort).ThenBy(i => i.Service.Service!.Key)
            .Concat(others.OrderBy(o => o.Group).ThenBy(o => o.Instance.EndpointPort).Select(o => o.Instance))
            .Distinct().ToList();
    }
}
