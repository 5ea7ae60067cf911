using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Tests.Protocol;

public sealed class PushDebouncerTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly MeshObjectStore _store = new(NullLogger<MeshObjectStore>.Instance);
    private readonly XdsCache _cache = new(new ConfigGenerator());
    private readonly PushDebouncer _debouncer;

    public PushDebouncerTests()
    {
        var options = Options.Create(new XdsServerOptions { DebounceAfter = TimeSpan.FromMilliseconds(100), DebounceMax = TimeSpan.FromMilliseconds(1000) });
        _debouncer = new PushDebouncer(_store, _cache, new ConnectionRegistry(), options, NullLogger<PushDebouncer>.Instance, _clock);
    }

    public Task InitializeAsync() => _debouncer.StartAsync(CancellationToken.None);

    public Task DisposeAsync() => _debouncer.StopAsync(CancellationToken.None);

    [Fact]
    public async Task A_burst_of_changes_is_published_once_after_the_quiet_period()
    {
        for (var i = 0; i < 5; i++)
        {
            AddService($"svc-{i}");
            _clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        _cache.Current.Mesh.Version.Should().Be(0, "changes kept coming faster than the quiet period");

        // The clock moves on in small steps until the debouncer, whenever it sets its timer, sees the quiet.
        await AdvanceUntil(_clock, () => _cache.Current.Mesh.Version == 5, "the burst to be published");
        _debouncer.Published.Should().Be(1);
        _cache.Current.Change.Services.Should().HaveCount(5, "the published change covers the whole burst");
    }

    [Fact]
    public async Task Changes_that_never_pause_are_published_at_the_maximum_wait()
    {
        // A change every 90 ms: the 100 ms quiet period never comes, so only the 1 s maximum can publish.
        var count = 0;
        var lastChange = _clock.GetUtcNow();
        AddService($"svc-{count++}");
        await Eventually.Until(
            () =>
            {
                _clock.Advance(TimeSpan.FromMilliseconds(30));
                if (_clock.GetUtcNow() - lastChange >= TimeSpan.FromMilliseconds(90))
                {
                    AddService($"svc-{count++}");
                    lastChange = _clock.GetUtcNow();
                }

                return _cache.Current.Mesh.Version > 0;
            },
            "a push at the maximum wait");

        _debouncer.Published.Should().Be(1);
        count.Should().BeGreaterThan(10, "the push came only once the maximum wait had passed");
    }

    [Fact]
    public async Task The_quiet_period_counts_from_when_the_source_saw_the_change()
    {
        // A file source that saw the change 80 ms before it could read it: 20 ms of quiet remain.
        AddService("seen-earlier", observedAgo: TimeSpan.FromMilliseconds(80));
        await Eventually.Until(() => _debouncer.HasPending, "the change to be pending");

        _clock.Advance(TimeSpan.FromMilliseconds(30));
        await Eventually.Until(() => _cache.Current.Mesh.Version == 1, "the change to be published 20 ms after it was read, not 100 ms");
        _cache.Current.ChangedAt.Should().Be(_clock.GetUtcNow() - TimeSpan.FromMilliseconds(110), "the push's first change is dated when it was seen");
    }

    [Fact]
    public async Task A_change_seen_long_ago_still_waits_for_no_other_change_but_is_never_dated_before_the_quiet_period()
    {
        var start = _clock.GetUtcNow();
        AddService("seen-long-ago", observedAgo: TimeSpan.FromMinutes(5));
        await Eventually.Until(() => _cache.Current.Mesh.Version == 1, "a change seen more than a quiet period ago to be published at once");
        _cache.Current.ChangedAt.Should().Be(start - TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_push_is_dated_from_its_earliest_change_even_when_that_was_reported_later()
    {
        var start = _clock.GetUtcNow();
        AddService("from-a-watch");
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        AddService("from-a-file", observedAgo: TimeSpan.FromMilliseconds(80));

        await AdvanceUntil(_clock, () => _cache.Current.Mesh.Version >= 2, "the push");
        _cache.Current.ChangedAt.Should().Be(start - TimeSpan.FromMilliseconds(70), "the file's change was seen 70 ms before the watch's");
    }

    [Fact]
    public async Task A_lone_endpoint_change_after_a_quiet_spell_is_published_at_once()
    {
        await PublishServiceAsync("web");
        _clock.Advance(TimeSpan.FromMilliseconds(150));

        // The clock does not move: only a push that skips the quiet period can publish this.
        SetEndpoints("web", "10.0.0.1");
        await Eventually.Until(() => _cache.Current.Mesh.Version == 2, "the endpoint change to be published without waiting");
        _cache.Current.Change.IsEndpointOnly.Should().BeTrue();
        _cache.Current.ChangedAt.Should().Be(_clock.GetUtcNow(), "a leading push is dated when its change was seen");
    }

    [Fact]
    public async Task Endpoint_changes_right_after_a_leading_push_wait_for_the_quiet_period()
    {
        await PublishServiceAsync("web");
        _clock.Advance(TimeSpan.FromMilliseconds(150));
        SetEndpoints("web", "10.0.0.1");
        await Eventually.Until(() => _cache.Current.Mesh.Version == 2, "the leading push");

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        SetEndpoints("web", "10.0.0.2");
        SetEndpoints("web", "10.0.0.3");
        await Eventually.Until(() => _clock.PendingTimers > 0, "the debouncer to wait for the quiet period");
        _cache.Current.Mesh.Version.Should().Be(2, "a burst after a leading push is debounced");

        await AdvanceUntil(_clock, () => _cache.Current.Mesh.Version == 4, "the rest of the burst to be published");
        _debouncer.Published.Should().Be(3, "the service, the leading endpoint push, and the burst after it");
    }

    [Fact]
    public async Task A_lone_service_change_after_a_quiet_spell_still_waits_for_the_quiet_period()
    {
        await PublishServiceAsync("web");
        _clock.Advance(TimeSpan.FromSeconds(5));

        AddService("api");
        await Eventually.Until(() => _clock.PendingTimers > 0, "the debouncer to wait for the quiet period");
        _cache.Current.Mesh.Version.Should().Be(1, "objects applied together (a VirtualService and its DestinationRule) should land in one push");
    }

    [Fact]
    public async Task Endpoint_changes_wait_like_any_other_when_every_endpoint_push_is_debounced()
    {
        var clock = new ManualTimeProvider();
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        var cache = new XdsCache(new ConfigGenerator());
        var options = Options.Create(new XdsServerOptions { DebounceAfter = TimeSpan.FromMilliseconds(100), DebounceEveryEndpointPush = true });
        var debouncer = new PushDebouncer(store, cache, new ConnectionRegistry(), options, NullLogger<PushDebouncer>.Instance, clock);
        await debouncer.StartAsync(CancellationToken.None);
        try
        {
            store.Upsert("test", Load(Manifests.EndpointSlice("web", "default", 80, "http", "10.0.0.1")));
            await Eventually.Until(() => clock.PendingTimers > 0, "the debouncer to wait for the quiet period");
            cache.Current.Mesh.Version.Should().Be(0);

            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Eventually.Until(() => cache.Current.Mesh.Version == 1, "the push after the quiet period");
        }
        finally
        {
            await debouncer.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_service_change_notified_after_a_newer_endpoint_change_still_reaches_proxies(bool debounceEveryEndpointPush)
    {
        // The store notifies outside its lock: two informers (Services and EndpointSlices) write at once.
        var clock = new ManualTimeProvider();
        var store = new MeshObjectStore(NullLogger<MeshObjectStore>.Instance);
        using var serviceNotifying = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.Subscribe((_, change) =>
        {
            // Holds the Service writer's thread between the store's lock and the debouncer's notification.
            if (change.Services.Any(k => k.Name == "api"))
            {
                serviceNotifying.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        });
        var cache = new XdsCache(new ConfigGenerator());
        var options = Options.Create(new XdsServerOptions { DebounceAfter = TimeSpan.FromMilliseconds(100), DebounceMax = TimeSpan.FromMilliseconds(1000), DebounceEveryEndpointPush = debounceEveryEndpointPush });
        var debouncer = new PushDebouncer(store, cache, new ConnectionRegistry(), options, NullLogger<PushDebouncer>.Instance, clock);
        await debouncer.StartAsync(CancellationToken.None);
        try
        {
            store.Upsert("test", Load(Manifests.Service("web", "default", "10.96.0.1", 80)));
            await AdvanceUntil(clock, () => cache.Current.Mesh.Version == 1, "web to be published");
            var node = NodeParser.Parse(TestNodes.Sidecar(ip: "10.0.0.50"));
            cache.Current.ConfigFor(cache.Current.ViewOf(node)).Clusters.Find(ApiCluster).Should().BeNull();
            clock.Advance(TimeSpan.FromMilliseconds(150));

            // Version 2: a new Service, whose writer is held before it tells the debouncer.
            var serviceWriter = Task.Run(() => store.Upsert("kubernetes", Load(Manifests.Service("api", "default", "10.96.0.2", 80))));
            await Eventually.Until(() => serviceNotifying.IsSet, "the Service writer to be between the store and the debouncer");

            // Version 3: an endpoint change, told first; its snapshot holds the new Service too.
            store.Upsert("kubernetes", Load(Manifests.EndpointSlice("web", "default", 80, "http", "10.0.0.9")));
            // Were the debouncer told of the endpoint change first (it comes from another writer), a
            // leading push would publish its snapshot as endpoints only, and the Service change, told
            // after it, would be dropped as older than what was published. The store tells them in order.
            if (!debounceEveryEndpointPush && (debouncer.HasPending || cache.Current.Mesh.Version == 3))
            {
                await Eventually.Until(() => cache.Current.Mesh.Version == 3, "the leading push");
            }

            release.Set();
            await serviceWriter;

            bool ApiPublished()
            {
                var state = cache.Current;
                return !debouncer.HasPending && state.ConfigFor(state.ViewOf(node)).Clusters.Find(ApiCluster) is not null;
            }

            await AdvanceUntil(clock, ApiPublished, "the new Service's cluster to be in the published config");
        }
        finally
        {
            release.Set();
            await debouncer.StopAsync(CancellationToken.None);
        }
    }

    private const string ApiCluster = "outbound|80||api.default.svc.cluster.local";

    /// <summary>Moves <paramref name="clock"/> on 10 ms at a time until <paramref name="done"/>, whenever the debouncer sets its timer.</summary>
    private static Task AdvanceUntil(ManualTimeProvider clock, Func<bool> done, string what) =>
        Eventually.Until(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(10));
                return done();
            },
            what);

    /// <summary>Adds a service and lets the quiet period pass until it is published (mesh version 1).</summary>
    private async Task PublishServiceAsync(string name)
    {
        AddService(name);
        await AdvanceUntil(_clock, () => _cache.Current.Mesh.Version == 1, "the service to be published");
    }

    private void SetEndpoints(string service, string address) =>
        _store.Upsert("test", Load(Manifests.EndpointSlice(service, "default", 80, "http", address)));

    private static MeshObject Load(string manifest) => new ManifestFileLoader(new MeshObjectTranslator()).Load(manifest).Objects.Single();

    private void AddService(string name, TimeSpan observedAgo = default)
    {
        var (objects, _) = new ManifestFileLoader(new MeshObjectTranslator()).Load(Manifests.Service(name, "default", "10.96.0.1", 80));
        if (observedAgo == default)
        {
            _store.Upsert("test", objects.Single());
        }
        else
        {
            _store.Replace($"file:{name}", objects, observedAgo);
        }
    }
}
