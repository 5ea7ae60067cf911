using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Mosn;

/// <summary>
/// Sidecar scenarios through <see cref="MosnClient"/>, which behaves as MOSN's istio-1.10 branch
/// does: what a MOSN user would see, where MOSN itself cannot run.
/// </summary>
public sealed class MosnSidecarTests : IAsyncLifetime
{
    private const string Reviews = "outbound|9080||reviews.default.svc.cluster.local";
    private const string Ratings = "outbound|9080||ratings.default.svc.cluster.local";
    private const string Details = "outbound|9080||details.default.svc.cluster.local";
    private XdsServerInstance _server = null!;

    public async Task InitializeAsync()
    {
        _server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["reviews.yaml"] = Manifests.Join(
                Manifests.Service("reviews", "default", "10.96.0.10", 9080),
                Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")),
            ["ratings.yaml"] = Manifests.Join(
                Manifests.Service("ratings", "default", "10.96.0.11", 9080),
                Manifests.EndpointSlice("ratings", "default", 9080, "http", "10.1.0.2")),
        });
        await Eventually.Until(() => _server.Cache.Current.Mesh.Services.Count == 2, "the mesh to load");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Mosn_gets_every_cluster_with_its_endpoints_and_the_routes()
    {
        await using var mosn = Mosn();
        await mosn.StartAsync();

        await ConvergedAsync(mosn, Reviews, Ratings);
        await Eventually.Until(() => mosn.Routes.ContainsKey("9080"), "the 9080 routes to reach MOSN");
        mosn.CrashReason.Should().BeNull();
    }

    [Fact]
    public async Task A_service_added_while_mosn_runs_gets_its_endpoints()
    {
        await using var mosn = Mosn(refresh: NoRefresh);
        await mosn.StartAsync();
        await ConvergedAsync(mosn, Reviews, Ratings);

        await _server.WriteConfigAsync("details.yaml", Manifests.Join(
            Manifests.Service("details", "default", "10.96.0.12", 9080),
            Manifests.EndpointSlice("details", "default", 9080, "http", "10.1.0.3")));

        await Eventually.Until(() => mosn.Hosts.ContainsKey(Details), "the new cluster's endpoints to reach MOSN");
        mosn.Hosts[Details].Should().Equal("10.1.0.3:9080");
    }

    [Fact]
    public async Task After_a_reconnect_mosn_is_served_again()
    {
        await using var mosn = Mosn(refresh: NoRefresh);
        await mosn.StartAsync();
        await ConvergedAsync(mosn, Reviews, Ratings);

        await mosn.ReconnectAsync();
        await _server.WriteConfigAsync("details.yaml", Manifests.Join(
            Manifests.Service("details", "default", "10.96.0.12", 9080),
            Manifests.EndpointSlice("details", "default", 9080, "http", "10.1.0.3")));

        await Eventually.Until(() => mosn.Hosts.ContainsKey(Details), "a change after the reconnect to reach MOSN");
    }

    [Fact]
    public async Task An_endpoint_change_reaches_mosn()
    {
        await using var mosn = Mosn();
        await mosn.StartAsync();
        await ConvergedAsync(mosn, Reviews, Ratings);

        await _server.WriteConfigAsync("reviews.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.7", "10.1.0.8")));

        await Eventually.Until(() => mosn.Hosts[Reviews].Count == 2, "the new endpoints to reach MOSN");
        mosn.Hosts[Reviews].Should().BeEquivalentTo(["10.1.0.7:9080", "10.1.0.8:9080"]);
    }

    [Fact]
    public async Task A_deleted_service_loses_its_routes_while_mosn_keeps_the_cluster()
    {
        await using var mosn = Mosn();
        await mosn.StartAsync();
        await ConvergedAsync(mosn, Reviews, Ratings);
        await Eventually.Until(() => VirtualHostsOn9080(mosn).Contains("ratings.default.svc.cluster.local:9080"), "the ratings routes to reach MOSN");

        _server.DeleteConfig("ratings.yaml");

        await Eventually.Until(() => !VirtualHostsOn9080(mosn).Contains("ratings.default.svc.cluster.local:9080"), "the ratings routes to be withdrawn");
        mosn.Clusters.Should().ContainKey(Ratings, "MOSN never removes a cluster missing from a CDS response (docs/mosn.md)");
    }

    [Fact]
    public async Task A_tcp_service_does_not_kill_mosn()
    {
        await _server.WriteConfigAsync("db.yaml", Manifests.Join(
            Manifests.Service("db", "default", "10.96.0.90", 19400, portName: "tcp-db"),
            Manifests.EndpointSlice("db", "default", 19400, "tcp-db", "10.1.0.9")));
        await Eventually.Until(() => _server.Cache.Current.Mesh.Services.Count == 3, "the TCP service to load");
        await using var mosn = new MosnClient(_server.Channel, TestNodes.Mosn())
        {
            LocalAddresses = new HashSet<string> { "10.0.0.2" },
            AppPorts = new HashSet<int> { 19400 },
        };

        await mosn.StartAsync();

        await Eventually.Until(() => mosn.Listeners.ContainsKey("10.96.0.90_19400"), "the TCP service's listener to reach MOSN");
        mosn.CrashReason.Should().BeNull("MOSN must not bind the service's VIP listener, nor a port the app holds");
    }

    [Fact]
    public async Task Mosn_keeps_the_endpoints_of_every_zone()
    {
        await _server.WriteConfigAsync("reviews.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSliceNamed("reviews-a", "reviews", "default", 9080, "http", "10.1.0.1"),
            Manifests.EndpointSliceNamed("reviews-b", "reviews", "default", 9080, "http", "10.1.1.1").Replace("zone: zone-a", "zone: zone-b", StringComparison.Ordinal)));
        await using var mosn = Mosn();

        await mosn.StartAsync();

        await Eventually.Until(() => mosn.Hosts.TryGetValue(Reviews, out var hosts) && hosts.Count == 2, "both zones' endpoints to be in MOSN");
        mosn.Hosts[Reviews].Should().BeEquivalentTo(["10.1.0.1:9080", "10.1.1.1:9080"]);
    }

    private static IReadOnlyList<string> VirtualHostsOn9080(MosnClient mosn) =>
        mosn.Routes.TryGetValue("9080", out var routes) ? routes.VirtualHosts.Select(v => v.Name).ToList() : [];

    private static Task ConvergedAsync(MosnClient mosn, params string[] clusters) =>
        Eventually.Until(() => clusters.All(mosn.Hosts.ContainsKey), "MOSN to hold every cluster's endpoints");

    /// <summary>
    /// Longer than any wait here: with it, only the server's push can bring MOSN the change (MOSN's
    /// own 10 s CDS re-request would otherwise rescue a server that sent nothing).
    /// </summary>
    private static readonly TimeSpan NoRefresh = TimeSpan.FromMinutes(10);

    private MosnClient Mosn(TimeSpan? refresh = null) =>
        new(_server.Channel, TestNodes.Mosn()) { LocalAddresses = new HashSet<string> { "10.0.0.2" }, RefreshDelay = refresh ?? TimeSpan.FromSeconds(10) };
}
