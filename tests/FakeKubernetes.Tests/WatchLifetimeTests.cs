using k8s;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Watches end on the server when their client goes away, bookmarks or not.</summary>
public sealed class WatchLifetimeTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(50) });
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cancelled_watch_is_closed_on_the_server(bool bookmarks)
    {
        var list = await _client.CoreV1.ListNamespacedPodAsync("shop");
        using var watching = new CancellationTokenSource();
        var events = _client.CoreV1.WatchListNamespacedPodAsync(
            "shop", allowWatchBookmarks: bookmarks, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: watching.Token);
        var reader = Task.Run(async () =>
        {
            await foreach (var _ in events.WithCancellation(watching.Token))
            {
            }
        });
        await Eventually.Until(() => _api.Store.OpenWatches("pods") == 1, "the watch to be open on the server");

        await watching.CancelAsync();
        await FluentActions.Awaiting(() => reader).Should().ThrowAsync<OperationCanceledException>();

        await Eventually.Until(() => _api.Store.OpenWatches("pods") == 0, "the server to close the cancelled watch", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_watch_ends_when_its_timeout_passes()
    {
        var list = await _client.CoreV1.ListNamespacedPodAsync("shop");
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        var events = _client.CoreV1.WatchListNamespacedPodAsync(
            "shop", allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: deadline.Token);

        var bookmarks = 0;
        await foreach (var (type, _) in events.WithCancellation(deadline.Token))
        {
            bookmarks += type == WatchEventType.Bookmark ? 1 : 0;
        }

        deadline.IsCancellationRequested.Should().BeFalse("the server, not the client's deadline, ended the watch");
        bookmarks.Should().BePositive();
        await Eventually.Until(() => _api.Store.OpenWatches("pods") == 0, "the server to forget the ended watch", TimeSpan.FromSeconds(10));
    }
}
