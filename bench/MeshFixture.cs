using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.Benchmarks;

/// <summary>A mesh of the scale goal's size: services with one HTTP port and three endpoints each.</summary>
internal static class MeshFixture
{
    public static MeshObjectStore Create(int services)
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        var objects = new List<MeshObject>();
        for (var i = 0; i < services; i++)
        {
            objects.Add(Service(i));
            objects.Add(Slice(i, 0));
        }

        store.Replace("bench", objects);
        return store;
    }

    public static MeshService Service(int i)
    {
        var ns = $"ns-{i % 50}";
        return new MeshService(
            new ObjectKey(ns, $"svc-{i}"),
            $"svc-{i}.{ns}.svc.cluster.local",
            $"10.96.{i / 250}.{i % 250 + 1}",
            [new MeshServicePort("http", 8080, "8080", MeshProtocol.Http)],
            ImmutableSortedDictionary<string, string>.Empty);
    }

    /// <summary>The service's slice; <paramref name="generation"/> shifts the addresses, as a rollout would.</summary>
    public static MeshEndpointSlice Slice(int i, int generation)
    {
        var ns = $"ns-{i % 50}";
        var endpoints = Enumerable.Range(0, 3)
            .Select(e => new SliceEndpoint([$"10.{(i / 250) + 1}.{i % 250}.{(e + generation) % 250 + 1}"], true, $"zone-{e % 3}", null, null))
            .ToImmutableArray();
        return new MeshEndpointSlice(new ObjectKey(ns, $"svc-{i}-slice"), $"svc-{i}", [new SlicePort("http", 8080)], endpoints);
    }
}
