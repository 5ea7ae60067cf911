using ControlPlane.FakeKubernetes.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>
/// A deleted namespace is Terminating for a while, as on a real cluster: it refuses new content, still
/// lists, and only then goes with everything in it (or never, with no controller-manager).
/// </summary>
public sealed class NamespaceLifecycleTests
{
    [Fact]
    public async Task A_deleted_namespace_stays_terminating_and_refuses_new_content_then_goes_with_its_contents()
    {
        await using var api = await FakeApiServer.StartAsync(new FakeApiServerOptions { NamespaceTerminationDelay = TimeSpan.FromSeconds(1) });
        using var client = api.CreateClient();
        var created = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "old" } });
        created.Status.Phase.Should().Be("Active");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept-a-while" } }, "old");

        await client.CoreV1.DeleteNamespaceAsync("old");

        var terminating = await client.CoreV1.ReadNamespaceAsync("old");
        terminating.Status.Phase.Should().Be("Terminating");
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull();
        terminating.Spec.Finalizers.Should().Equal("kubernetes");
        (await client.CoreV1.ListNamespacedConfigMapAsync("old")).Items.Should().ContainSingle("the contents go only when the namespace controller gets to them");
        var refused = await ApiFailure.CaptureAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "new" } }, "old"));
        refused.Code.Should().Be(System.Net.HttpStatusCode.Forbidden);
        refused.Message.Should().Be("configmaps \"new\" is forbidden: unable to create new content in namespace old because it is being terminated");
        (await client.CoreV1.DeleteNamespaceAsync("old")).ObjectView<V1Namespace>().Status.Phase.Should().Be("Terminating", "deleting again changes nothing");

        await Eventually.Until(
            async () => (await client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name).ToList(),
            names => !names.Contains("old"),
            "the namespace to go");
        (await client.CoreV1.ListConfigMapForAllNamespacesAsync()).Items.Should().BeEmpty("its contents went first");
    }

    [Fact]
    public async Task Without_a_controller_manager_a_deleted_namespace_stays_terminating()
    {
        await using var api = await FakeApiServer.StartAsync(new FakeApiServerOptions { NamespaceTerminationDelay = Timeout.InfiniteTimeSpan });
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "stuck" } });

        await client.CoreV1.DeleteNamespaceAsync("stuck");

        // Proves a state that lasts, not a timing: nothing is scheduled to end it.
        (await client.CoreV1.ReadNamespaceAsync("stuck")).Status.Phase.Should().Be("Terminating");
    }
}
