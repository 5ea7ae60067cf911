using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>The garbage collector's part: dependents go after their last owner, or lose the reference when it is orphaned.</summary>
public sealed class GarbageCollectionTests : IAsyncLifetime
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
    public async Task Deleting_an_owner_deletes_dependents_whose_owners_are_all_gone()
    {
        var owner = await CreateAsync("owner");
        var other = await CreateAsync("other-owner");
        await CreateAsync("only-child", owner);
        await CreateAsync("shared-child", owner, other);
        await CreateAsync("unrelated");

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "ns");

        await Eventually.Until(
            async () => (await _client.CoreV1.ListNamespacedConfigMapAsync("ns")).Items.Select(c => c.Metadata.Name).Order().ToList(),
            names => !names.Contains("only-child"),
            "the dependent to be collected");
        var shared = await Eventually.Until(
            () => _client.CoreV1.ReadNamespacedConfigMapAsync("shared-child", "ns"),
            c => c.Metadata.OwnerReferences.Count == 1,
            "the dangling reference to be dropped");
        shared.Metadata.OwnerReferences.Single().Uid.Should().Be(other.Metadata.Uid, "a dependent with a live owner stays");
        (await _client.CoreV1.ListNamespacedConfigMapAsync("ns")).Items.Select(c => c.Metadata.Name).Should().BeEquivalentTo("other-owner", "shared-child", "unrelated");
    }

    [Fact]
    public async Task An_orphaning_delete_leaves_dependents_without_the_reference()
    {
        var owner = await CreateAsync("owner");
        await CreateAsync("child", owner);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "ns", propagationPolicy: "Orphan");

        var child = await Eventually.Until(
            () => _client.CoreV1.ReadNamespacedConfigMapAsync("child", "ns"),
            c => c.Metadata.OwnerReferences is null or { Count: 0 },
            "the reference to be removed");
        child.Metadata.Name.Should().Be("child");
    }

    private Task<V1ConfigMap> CreateAsync(string name, params V1ConfigMap[] owners) =>
        _client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    OwnerReferences = owners.Select(o => new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = o.Metadata.Name, Uid = o.Metadata.Uid }).ToList(),
                },
            },
            "ns");
}
