using System.Collections.Concurrent;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>
/// The config directory source waits for a burst of writes to settle (20 ms) before it reads, and
/// tells the store how long ago it saw the change, so that the push debounce counts from then. (How
/// long exactly depends on when the last notification of the burst came, so only that it is
/// measured at all is asserted: without it the store hears of every change as happening now.)
/// </summary>
public sealed class FileChangeObservedTests
{
    [Fact]
    public async Task A_file_change_reaches_the_store_dated_from_its_notification_not_from_the_read()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>());
        var seen = new ConcurrentQueue<(MeshChange Change, TimeSpan ObservedAgo)>();
        server.Store.Subscribe((_, change, observedAgo) => seen.Enqueue((change, observedAgo)));

        await server.WriteConfigAsync("late.yaml", Manifests.Service("late", "default", "10.98.0.1", 8080));

        await Eventually.Until(() => seen.Any(s => s.Change.Services.Contains(new ObjectKey("default", "late"))), "the file's service to reach the store");
        var (_, observedAgo) = seen.First(s => s.Change.Services.Contains(new ObjectKey("default", "late")));
        observedAgo.Should().BeGreaterThan(TimeSpan.Zero, "the source read the file some time after the notification");
    }

    [Fact]
    public async Task One_scan_of_the_directory_is_one_store_change()
    {
        // A VirtualService and the DestinationRule of its subsets in two files: applied one file at
        // a time, a push could go out between them with the route naming a subset no cluster has.
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["a.yaml"] = Manifests.Service("a", "default", "10.98.0.1", 8080),
            ["b.yaml"] = Manifests.Service("b", "default", "10.98.0.2", 8080),
            ["c.yaml"] = Manifests.Service("c", "default", "10.98.0.3", 8080),
        });
        await Eventually.Until(() => server.Store.Current.Services.Count == 3, "the directory to be read");

        server.Store.Current.Version.Should().Be(1, "the first scan read three files and made one snapshot of them");
    }
}
