using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>The fake's plain REST and watch protocol for pods, through the real KubernetesClient.</summary>
public sealed class PodApiTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _client = _api.CreateClient();
        // Pods run as their namespace's default ServiceAccount, which nothing makes on its own here.
        await ServiceAccounts.EnsureDefaultAsync(_client, "shop");
        await ServiceAccounts.EnsureDefaultAsync(_client, "other");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Creates_reads_and_lists_pods_by_namespace_and_label()
    {
        var created = await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web", new Dictionary<string, string> { ["app"] = "web" }), "shop");
        await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("db", new Dictionary<string, string> { ["app"] = "db" }), "shop");
        await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web"), "other");

        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Metadata.NamespaceProperty.Should().Be("shop");
        (await _client.CoreV1.ReadNamespacedPodAsync("web", "shop")).Spec.Containers.Single().Image.Should().Be("example/app:1");
        (await _client.CoreV1.ListNamespacedPodAsync("shop")).Items.Select(p => p.Metadata.Name).Should().BeEquivalentTo("web", "db");
        (await _client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=web")).Items.Should().ContainSingle();
        (await _client.CoreV1.ListPodForAllNamespacesAsync()).Items.Should().HaveCount(3);

        var duplicate = await ApiFailure.CaptureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web"), "shop"));
        duplicate.Code.Should().Be(System.Net.HttpStatusCode.Conflict);
        duplicate.Reason.Should().Be("AlreadyExists");
    }

    [Fact]
    public async Task Patches_pods_by_merge_and_json_patch()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web", new Dictionary<string, string> { ["app"] = "web" }), "shop");

        var merged = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["tier"] = "front" } } }.ToJsonString(), V1Patch.PatchType.MergePatch),
            "web",
            "shop");
        merged.Metadata.Labels.Should().Contain("app", "web").And.Contain("tier", "front");

        var patched = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/metadata/labels/tier", ["value"] = "front" },
                new JsonObject { ["op"] = "remove", ["path"] = "/metadata/labels/app" },
                new JsonObject { ["op"] = "replace", ["path"] = "/spec/containers/0/image", ["value"] = "example/app:2" }).ToJsonString(), V1Patch.PatchType.JsonPatch),
            "web",
            "shop");
        patched.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["tier"] = "front" });
        patched.Spec.Containers[0].Image.Should().Be("example/app:2");
        long.Parse(patched.Metadata.ResourceVersion).Should().BeGreaterThan(long.Parse(merged.Metadata.ResourceVersion));

        var failedTest = await ApiFailure.CaptureAsync(() => _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/labels/tier", ["value"] = "back" }).ToJsonString(), V1Patch.PatchType.JsonPatch),
            "web",
            "shop"));
        failedTest.Code.Should().Be(System.Net.HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Watch_from_a_listed_version_sees_later_adds_changes_and_deletes()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("before"), "shop");
        var list = await _client.CoreV1.ListNamespacedPodAsync("shop");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = _client.CoreV1.WatchListNamespacedPodAsync("shop", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: deadline.Token)
            .GetAsyncEnumerator(deadline.Token);

        // The watch starts from the listed version, so these are replayed however the timing falls.
        await _client.CoreV1.CreateNamespacedPodAsync(Webhooks.Pod("web"), "shop");
        await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"ready":"yes"}}}""", V1Patch.PatchType.MergePatch), "web", "shop");
        await _client.CoreV1.DeleteNamespacedPodAsync("web", "shop");

        var seen = new List<(WatchEventType, string, string?)>();
        while (seen.Count < 3 && await events.MoveNextAsync())
        {
            var (type, pod) = events.Current;
            seen.Add((type, pod.Metadata.Name, pod.Metadata.Labels is { } labels && labels.TryGetValue("ready", out var ready) ? ready : null));
        }

        seen.Should().Equal(
            (WatchEventType.Added, "web", null),
            (WatchEventType.Modified, "web", "yes"),
            (WatchEventType.Deleted, "web", "yes"));
    }
}
