using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;

namespace ControlPlane.Benchmarks;

/// <summary>
/// The scale goal's shape (1,000 services, 2,000 proxies): the cost of a first generation, of an
/// endpoint change, and of serving many proxies that share one view.
/// </summary>
[MemoryDiagnoser]
public class GenerationBenchmarks
{
    private static readonly ProxyView SidecarView = new(ProxyKind.Sidecar, "ns-1", [new InboundPort(8080, MeshProtocol.Http)]);
    private MeshObjectStore _store = null!;
    private ConfigGenerator _warm = null!;
    private int _generation;

    [Params(1000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = MeshFixture.Create(Services);
        _warm = new ConfigGenerator();
        _warm.Generate(_store.Current, SidecarView);
    }

    [Benchmark(Description = "first generation of a sidecar view")]
    public ProxyConfig ColdSidecarView() => new ConfigGenerator().Generate(_store.Current, SidecarView);

    [Benchmark(Description = "one EndpointSlice changes: regenerate the view's EDS")]
    public ProxyConfig EndpointChange()
    {
        var before = _warm.Generate(_store.Current, SidecarView);
        _store.Upsert("bench", MeshFixture.Slice(7, ++_generation));
        return _warm.Generate(_store.Current, SidecarView, before);
    }

    [Benchmark(Description = "2,000 proxies with one view after a change")]
    public int SharedViewFanOut()
    {
        var cache = new XdsCache(_warm);
        _store.Upsert("bench", MeshFixture.Slice(9, ++_generation));
        cache.Publish(_store.Current, new MeshChange(false, ImmutableHashSet<ObjectKey>.Empty, [new ObjectKey("ns-9", "svc-9")]));
        var resources = 0;
        for (var proxy = 0; proxy < 2000; proxy++)
        {
            resources += cache.Current.ConfigFor(SidecarView).Endpoints.Resources.Count;
        }

        return resources;
    }
}
