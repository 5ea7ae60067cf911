using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using static ControlPlane.XdsServer.Tests.Indexes.IndexMesh;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>Random sequences of meshes, two meshes interleaved on one chain of indexes (as the process-wide latest index is).</summary>
public sealed class AddressIndexRandomTests
{
    private static readonly string[] Addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"];

    [Fact]
    public void Made_from_any_previous_index_it_answers_as_one_made_from_nothing()
    {
        var random = new Random(1234);
        var meshes = new[] { new IndexMesh(), new IndexMesh() };
        var previous = AddressIndex.Empty;
        for (var step = 0; step < 300; step++)
        {
            var snapshot = meshes[random.Next(2)].Set(Documents(random));
            var registry = ServiceIndex.Of(snapshot).All;
            var workloads = WorkloadIndex.Of(snapshot);
            var made = previous.With(registry, workloads.EndpointsOf);
            var fresh = AddressIndex.Empty.With(registry, workloads.EndpointsOf);
            foreach (var address in Addresses)
            {
                made.At(address).Should().Equal(fresh.At(address), $"at {address}, step {step}");
            }

            previous = made;
        }
    }

    private static string[] Some(Random random) => Addresses.Where(_ => random.Next(3) == 0).Concat(random.Next(4) == 0 ? ["10.0.0.1"] : []).ToArray();

    private static string[] Documents(Random random)
    {
        var documents = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            if (random.Next(4) == 0)
            {
                continue;
            }

            var portName = random.Next(2) == 0 ? "http" : "grpc";
            documents.Add(Manifests.Service(name, "app", $"10.96.0.{name[0] - 'a' + 1}", 80, portName, random.Next(2) == 0 ? 8080 : 9090));
            documents.Add(Manifests.EndpointSlice(name, "app", random.Next(2) == 0 ? 8080 : 9090, portName, Some(random)));
            if (random.Next(3) == 0)
            {
                documents.Add(Manifests.EndpointSliceNamed($"{name}-two", name, "app", 8080, portName, Some(random)));
            }
        }

        documents.Add("""
            apiVersion: v1
            kind: Service
            metadata: {name: sel, namespace: app}
            spec:
              clusterIP: 10.96.0.9
              selector: {app: vm}
              ports: [{name: http, port: 80, targetPort: 8080}]
            """);
        foreach (var vm in new[] { "vm1", "vm2" })
        {
            if (random.Next(3) != 0)
            {
                documents.Add(IstioObject("WorkloadEntry", "app", vm, $"  address: {Addresses[random.Next(Addresses.Length)]}\n  labels: {{app: vm}}\n"));
            }
        }

        foreach (var (se, second) in new[] { ("ext1", random.Next(3)), ("ext2", random.Next(3)) })
        {
            if (random.Next(4) == 0)
            {
                continue;
            }

            var endpoints = string.Join(", ", Some(random).Select(a => $"{{address: {a}}}"));
            var spec = random.Next(2) == 0
                ? $"  hosts: [{se}.example.com, {se}-alt.example.com]\n  ports: [{{number: 80, name: http, protocol: HTTP, targetPort: 8080}}]\n  resolution: STATIC\n  endpoints: [{endpoints}]\n"
                : $"  hosts: [{se}.example.com]\n  ports: [{{number: 80, name: http, protocol: HTTP}}]\n  resolution: STATIC\n  workloadSelector: {{labels: {{app: vm}}}}\n";
            documents.Add(IstioObject("ServiceEntry", "app", se, spec, second));
        }

        return [.. documents];
    }
}
