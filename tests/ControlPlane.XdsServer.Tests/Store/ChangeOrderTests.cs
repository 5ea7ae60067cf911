using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Sources;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Store;

/// <summary>Subscribers see the store's changes one at a time, in the order they were made, whoever writes them.</summary>
public sealed class ChangeOrderTests
{
    [Fact]
    public async Task A_change_made_while_an_earlier_one_is_being_delivered_is_delivered_after_it()
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        var seen = new List<(long Version, MeshChange Change)>();
        using var delivering = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.Subscribe((snapshot, change) =>
        {
            lock (seen)
            {
                seen.Add((snapshot.Version, change));
            }

            if (change.Services.Any(k => k.Name == "api"))
            {
                // The Services informer's thread, held between the store and the push debouncer.
                delivering.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        });

        var serviceWriter = Task.Run(() => store.Upsert("kubernetes", Load(Manifests.Service("api", "default", "10.96.0.2", 80))));
        await Eventually.Until(() => delivering.IsSet, "the Service change to be being delivered");

        // The EndpointSlices informer writes the next version meanwhile.
        store.Upsert("kubernetes", Load(Manifests.EndpointSlice("web", "default", 80, "http", "10.0.0.9")));
        lock (seen)
        {
            seen.Should().ContainSingle("the endpoint change waits until the Service change has been delivered");
        }

        release.Set();
        await serviceWriter;
        await Eventually.Until(() => { lock (seen) { return seen.Count == 2; } }, "both changes to be delivered");
        seen.Select(s => s.Version).Should().BeInAscendingOrder();
        seen[0].Change.Services.Should().Contain(new ObjectKey("default", "api"));
        seen[1].Change.IsEndpointOnly.Should().BeTrue();
    }

    [Fact]
    public void A_subscriber_that_throws_does_not_keep_the_change_from_the_others()
    {
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        var delivered = 0;
        store.Subscribe((_, _) => throw new InvalidOperationException("broken subscriber"));
        store.Subscribe((_, _) => Interlocked.Increment(ref delivered));

        var addService = () => store.Upsert("test", Load(Manifests.Service("api", "default", "10.96.0.2", 80)));
        var addEndpoints = () => store.Upsert("test", Load(Manifests.EndpointSlice("api", "default", 80, "http", "10.0.0.9")));

        addService.Should().Throw<InvalidOperationException>().WithMessage("broken subscriber");
        delivered.Should().Be(1, "the other subscriber still got the change");
        addEndpoints.Should().Throw<InvalidOperationException>();
        delivered.Should().Be(2, "the next change is delivered too: nothing was left queued");
    }

    private static MeshObject Load(string manifest) => new ManifestFileLoader(new MeshObjectTranslator()).Load(manifest).Objects.Single();
}
