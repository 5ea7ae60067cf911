using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ControlPlane.EndToEnd.Tests.Infrastructure;
using k8s;
using Xunit.Abstractions;

namespace ControlPlane.EndToEnd.Tests.Reliability;

/// <summary>
/// The xds-server as its own process, with proxies that behave as Envoy does towards it, under the
/// failures production brings: the server killed in the middle of a push, the API server going away,
/// every proxy reconnecting at once. Loopback only; every wait has a deadline.
/// </summary>
[Trait("Category", "Chaos")]
public sealed partial class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _configDir = Directory.CreateTempSubdirectory("xds-chaos-").FullName;

    public void Dispose() => Directory.Delete(_configDir, recursive: true);

    [Fact]
    public async Task A_server_killed_mid_push_and_restarted_brings_every_proxy_to_the_new_config_without_an_empty_push()
    {
        const int Services = 300;
        const int Proxies = 50;
        await File.WriteAllTextAsync(Path.Combine(_configDir, "mesh.yaml"), MeshYaml.Services(0, Services));
        var port = FreePort();
        // A debounce longer than the default leaves the restarted server listening well before it has
        // published what it loaded: a proxy served then would be handed an empty mesh.
        string[] arguments = ["--config-dir", _configDir, "--listen-address", "127.0.0.1", "--grpc-port", $"{port}", "--http-port", "0", "--debounce-after-ms", "500"];
        var original = Enumerable.Range(0, Services).Select(MeshYaml.Cluster).ToHashSet();
        var everything = Enumerable.Range(0, 2 * Services).Select(MeshYaml.Cluster).ToHashSet();

        var first = ControlPlaneProcess.Start("xds-server", arguments, output, "Information");
        await first.WaitReadyAsync();
        var proxies = Enumerable.Range(0, Proxies).Select(i => new EnvoyLikeProxy(port, $"proxy-{i}")).ToList();
        try
        {
            await Eventually.Until(() => proxies.All(p => Holds(p, original)), "every proxy to hold the mesh", TimeSpan.FromSeconds(60));

            // A change every proxy is being pushed; the server dies the moment the first proxy has it.
            var pushed = proxies.Select(p => p.NextAsync(r => r.Names.Count >= everything.Count)).ToList();
            await File.WriteAllTextAsync(Path.Combine(_configDir, "more.yaml"), MeshYaml.Services(Services, Services));
            await Task.WhenAny(pushed).WaitAsync(TimeSpan.FromSeconds(60));
            await first.KillAsync();
            output.WriteLine($"{pushed.Count(p => p.IsCompleted)} of {Proxies} proxies had the new clusters when the server was killed");

            await using var second = ControlPlaneProcess.Start("xds-server", arguments, output, "Information");
            await Eventually.Until(() => proxies.All(p => Holds(p, everything)), "every proxy to converge on the restarted server", TimeSpan.FromSeconds(90));

            foreach (var proxy in proxies)
            {
                var responses = proxy.Responses;
                responses.Where(r => r.TypeUrl.EndsWith("Cluster", StringComparison.Ordinal)).Should()
                    .OnlyContain(r => original.IsSubsetOf(r.Names), "no CDS response may withdraw a service that never went away");
                responses.Where(r => r.TypeUrl.EndsWith("ClusterLoadAssignment", StringComparison.Ordinal)).Should()
                    .OnlyContain(r => r.EmptyAssignments.Count == 0, "no EDS response may empty a service that has endpoints");
            }

            proxies.Should().OnlyContain(p => p.Streams >= 2, "every proxy reconnected");
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_api_server_that_goes_away_and_comes_back_withdraws_nothing_and_causes_no_push()
    {
        await using var cluster = await TestCluster.StartAsync();
        var fake = cluster.Fake ?? throw new InvalidOperationException("takes the fake API server away; a shared cluster's API server cannot be");
        await using var relay = new TcpRelay(new IPEndPoint(IPAddress.Loopback, fake.Address.Port));
        var kubeconfig = Path.Combine(_configDir, "relayed-kubeconfig.yaml");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(cluster.KubeconfigPath)).Replace($":{fake.Address.Port}", $":{relay.Port}", StringComparison.Ordinal));
        var ns = await cluster.CreateNamespaceAsync("chaos");
        for (var i = 0; i < 10; i++)
        {
            await TestServices.CreateWithEndpointAsync(cluster.Client, ns, $"svc-{i}", port: 80, targetPort: 8080, address: $"192.0.2.{i + 1}");
        }

        var services = Enumerable.Range(0, 10).Select(i => $"outbound|80||svc-{i}.{ns}.svc.cluster.local").ToHashSet();
        await using var xds = ControlPlaneProcess.Start("xds-server", ["--kubeconfig", kubeconfig, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output, "Information");
        await xds.WaitReadyAsync();
        var port = await xds.PortOfAsync("grpc");
        var http = await xds.PortOfAsync("http");
        var proxies = Enumerable.Range(0, 10).Select(i => new EnvoyLikeProxy(port, $"proxy-{i}", ns)).ToList();
        try
        {
            await Eventually.Until(() => proxies.All(p => Holds(p, services)), "every proxy to hold the services");
            var pushes = await PushesAsync(xds, http);
            var responses = proxies.Sum(p => p.Responses.Count);

            relay.GoAway();
            var failing = await Eventually.Until(() => SourceAsync(xds, http), s => !s.GetProperty("healthy").GetBoolean(), "the kubernetes source to report failing");
            output.WriteLine($"failing: {failing.GetProperty("failure").GetString()}");
            (await xds.Http.GetAsync($"http://127.0.0.1:{http}/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
            relay.ComeBack();
            await Eventually.Until(() => SourceAsync(xds, http), s => s.GetProperty("healthy").GetBoolean(), "the source to recover", TimeSpan.FromSeconds(60));

            (await PushesAsync(xds, http)).Should().Be(pushes, "relisting what did not change pushes nothing");
            proxies.Sum(p => p.Responses.Count).Should().Be(responses, "no proxy was sent anything: nothing was withdrawn");
            proxies.Should().OnlyContain(p => p.Streams == 1, "the proxies never lost their server");

            // And it follows the cluster again.
            await TestServices.CreateWithEndpointAsync(cluster.Client, ns, "after", port: 80, targetPort: 8080, address: "192.0.2.99");
            await Eventually.Until(() => proxies.All(p => p.Clusters.Contains($"outbound|80||after.{ns}.svc.cluster.local")), "the service created after the outage");
            relay.Accepted.Should().BeGreaterThan(1, "the server reconnected through the relay");
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task After_reconnect_storms_of_every_proxy_at_once_memory_returns_to_its_baseline()
    {
        const int Services = 100;
        const int Proxies = 150;
        const int Storms = 3;
        await File.WriteAllTextAsync(Path.Combine(_configDir, "mesh.yaml"), MeshYaml.Services(0, Services));
        var mesh = Enumerable.Range(0, Services).Select(MeshYaml.Cluster).ToHashSet();
        await using var xds = ControlPlaneProcess.Start("xds-server", ["--config-dir", _configDir, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output, "Information");
        await xds.WaitReadyAsync();
        var port = await xds.PortOfAsync("grpc");
        var http = await xds.PortOfAsync("http");

        // Warm: two storms make the server generate the shared config and size its pools (after one,
        // the live heap still grew by 2-4 MiB in the next, which is within a leak's reach of the bound).
        await StormAsync(port, Proxies, mesh, xds, http);
        await StormAsync(port, Proxies, mesh, xds, http);
        var baseline = await MemoryAsync(xds, http);
        var after = baseline;
        for (var storm = 0; storm < Storms; storm++)
        {
            await StormAsync(port, Proxies, mesh, xds, http);
            after = await MemoryAsync(xds, http);
            output.WriteLine($"after storm {storm + 1}: live heap {after.Heap / 1024} KiB (baseline {baseline.Heap / 1024} KiB), RSS {after.Rss / 1024} KiB (baseline {baseline.Rss / 1024} KiB)");
        }

        // Live heap after a full compacting collection: within 10% (at least 4 MiB) of what it was.
        after.Heap.Should().BeLessThan(baseline.Heap + Math.Max(baseline.Heap / 10, 4L << 20), "what the storms allocated is released");
        // The process's resident memory from /proc: the GC may keep segments for reuse, but it must not grow with every storm.
        after.Rss.Should().BeLessThan(baseline.Rss + Math.Max(baseline.Rss / 4, 48L << 20), "resident memory does not grow storm after storm");
    }

    /// <summary>Every proxy connects at once, takes the mesh, and all leave at once; returns when the server holds no stream.</summary>
    private static async Task StormAsync(int port, int count, IReadOnlySet<string> mesh, ControlPlaneProcess xds, int http)
    {
        var proxies = Enumerable.Range(0, count).Select(i => new EnvoyLikeProxy(port, $"storm-{i}")).ToList();
        try
        {
            await Eventually.Until(() => proxies.All(p => Holds(p, mesh)), $"all {count} proxies to hold the mesh", TimeSpan.FromSeconds(90));
        }
        finally
        {
            await Task.WhenAll(proxies.Select(p => p.DisposeAsync().AsTask()));
        }

        await Eventually.Until(() => ConnectedAsync(xds, http), connected => connected == 0, "the server to drop every stream");
    }

    private static bool Holds(EnvoyLikeProxy proxy, IReadOnlySet<string> clusters) =>
        clusters.IsSubsetOf(proxy.Clusters) && clusters.All(c => proxy.Endpoints.GetValueOrDefault(c) > 0);

    private static async Task<(long Heap, long Rss)> MemoryAsync(ControlPlaneProcess xds, int http)
    {
        using var response = await xds.Http.PostAsync($"http://127.0.0.1:{http}/debug/gc", null);
        using var gc = JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        var status = await File.ReadAllTextAsync($"/proc/{xds.Id}/status");
        var rss = long.Parse(VmRss().Match(status).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return (gc.RootElement.GetProperty("heapBytes").GetInt64(), rss);
    }

    private static async Task<double> PushesAsync(ControlPlaneProcess xds, int http) =>
        Metric(await xds.Http.GetStringAsync($"http://127.0.0.1:{http}/metrics"), "controlplane_xds_pushes_total");

    private static async Task<double> ConnectedAsync(ControlPlaneProcess xds, int http) =>
        Metric(await xds.Http.GetStringAsync($"http://127.0.0.1:{http}/metrics"), "controlplane_xds_connected_proxies");

    /// <summary>The sum of a metric's samples over all its labels.</summary>
    private static double Metric(string metrics, string name) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is ' ' or '{'))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<JsonElement> SourceAsync(ControlPlaneProcess xds, int http)
    {
        using var sources = JsonDocument.Parse(await xds.Http.GetStringAsync($"http://127.0.0.1:{http}/debug/sources"));
        return sources.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "kubernetes").Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"VmRSS:\s+(\d+) kB")]
    private static partial Regex VmRss();
}
