using System.Net;
using System.Text.Json;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>
/// A config source that disappears or cannot be read is a failure, not an empty mesh: the last good
/// objects stay served, the failure is logged, shown on /debug/sources and as a metric, and watching
/// resumes when the source is back.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class SourceFailureTests : IDisposable
{
    private const string Reviews = "outbound|9080||reviews.default.svc.cluster.local";
    private const string Ratings = "outbound|9080||ratings.default.svc.cluster.local";
    private readonly string _root = Directory.CreateTempSubdirectory("xds-source-").FullName;

    private string Mesh => Path.Combine(_root, "mesh");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Deleting_the_config_directory_withdraws_nothing_reports_the_source_failing_and_watching_resumes_when_it_returns()
    {
        WriteMesh(Mesh, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)));
        // No periodic rescan during the test: only file notifications can bring the edit at the end.
        await using var server = await XdsServerInstance.StartAsync(configure: o =>
        {
            o.ConfigDir = Mesh;
            o.ConfigPollInterval = TimeSpan.FromHours(1);
        });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        Directory.Delete(Mesh, recursive: true);

        var failing = await Eventually.Until(() => SourceAsync(server, "config-dir"), s => s.GetProperty("healthy").GetBoolean() == false, "the source to report failing");
        failing.GetProperty("failure").GetString().Should().Contain(Mesh).And.Contain("does not exist");
        await proxy.ExpectNothingPendingAsync("a deleted directory is a source failure: nothing is withdrawn");
        (await server.Http.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "a synced server stays ready while a source fails");
        (await server.Http.GetStringAsync("/metrics")).Should().Contain("controlplane_config_source_failing{source=\"config-dir\"} 1");
        server.Logs.Events.Should().Contain(e => e.Level == LogLevel.Error && e.Message.Contains("is failing", StringComparison.Ordinal) && e.Message.Contains(Mesh, StringComparison.Ordinal));

        // The directory comes back whole (renamed into place), then one of its files is edited.
        var staging = Path.Combine(_root, "staging");
        WriteMesh(staging, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)));
        Directory.Move(staging, Mesh);
        await Eventually.Until(() => SourceAsync(server, "config-dir"), s => s.GetProperty("healthy").GetBoolean(), "the source to recover");
        (await server.Http.GetStringAsync("/metrics")).Should().Contain("controlplane_config_source_failing{source=\"config-dir\"} 0");
        await File.WriteAllTextAsync(Path.Combine(Mesh, "ratings.yaml"), Manifests.Service("ratings", "default", "10.96.0.11", 9080));

        var pushed = await proxy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain([Reviews, Ratings], "notifications are watched again after the directory returned");
    }

    [Fact]
    public async Task A_config_directory_replaced_by_a_file_is_a_source_failure()
    {
        WriteMesh(Mesh, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)));
        await using var server = await XdsServerInstance.StartAsync(configure: o => o.ConfigDir = Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        Directory.Move(Mesh, Mesh + ".old");
        await File.WriteAllTextAsync(Mesh, "not a directory");

        var failing = await Eventually.Until(() => SourceAsync(server, "config-dir"), s => s.GetProperty("healthy").GetBoolean() == false, "the source to report failing");
        failing.GetProperty("failure").GetString().Should().Contain("is not a directory");
        await proxy.ExpectNothingPendingAsync("an unreadable directory withdraws nothing");
    }

    [Fact]
    public async Task Files_removed_from_a_readable_directory_still_withdraw_their_objects()
    {
        WriteMesh(Mesh, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)), ("ratings.yaml", Manifests.Service("ratings", "default", "10.96.0.11", 9080)));
        await using var server = await XdsServerInstance.StartAsync(configure: o => o.ConfigDir = Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        File.Delete(Path.Combine(Mesh, "ratings.yaml"));

        var pushed = await proxy.NextAsync();
        pushed.Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain(Reviews).And.NotContain(Ratings);
        (await SourceAsync(server, "config-dir")).GetProperty("healthy").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task A_config_directory_missing_at_start_keeps_the_server_unready_and_refuses_ads_until_it_appears()
    {
        await using var server = await XdsServerInstance.StartAsync(configure: o => o.ConfigDir = Mesh, waitReady: false);

        var notReady = await Eventually.Until(() => server.Http.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, "not ready");
        (await notReady.Content.ReadAsStringAsync()).Should().Contain("waiting for config-dir");
        await using (var early = new SotwClient(server.Channel, TestNodes.Sidecar()))
        {
            await early.SendAsync(TypeUrls.Cluster);
            var refused = await FluentActions.Awaiting(() => early.NextAsync()).Should().ThrowAsync<RpcException>();
            refused.Which.StatusCode.Should().Be(StatusCode.Unavailable, "a proxy must not be handed an empty mesh; it keeps its config and retries");
        }

        var staging = Path.Combine(_root, "staging");
        WriteMesh(staging, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)));
        Directory.Move(staging, Mesh);

        await Eventually.Until(async () => (await server.Http.GetAsync("/healthz/ready")).IsSuccessStatusCode, ok => ok, "ready once the directory is read");
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).Should().Contain(Reviews);
    }

    [Fact]
    public async Task An_object_defined_twice_in_one_file_is_warned_about_and_served_from_its_first_document()
    {
        WriteMesh(Mesh, ("twice.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.Service("reviews", "default", "10.96.0.99", 7070))));
        await using var server = await XdsServerInstance.StartAsync(configure: o => o.ConfigDir = Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());

        var clusters = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).ToList();

        clusters.Should().Contain(Reviews).And.NotContain("outbound|7070||reviews.default.svc.cluster.local");
        server.Logs.Events.Should().ContainSingle(e => e.Level == LogLevel.Warning && e.Message.Contains("twice.yaml", StringComparison.Ordinal))
            .Which.Message.Should().Contain("Service default/reviews is defined twice").And.Contain("document 1 (line 1)").And.Contain("document 2");
    }

    [Fact]
    public async Task An_object_defined_in_two_files_is_warned_about_and_served_from_the_first_file()
    {
        WriteMesh(
            Mesh,
            ("a.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)),
            ("b.yaml", Manifests.Service("reviews", "default", "10.96.0.99", 7070)));
        await using var server = await XdsServerInstance.StartAsync(configure: o => o.ConfigDir = Mesh);
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());

        var clusters = (await proxy.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).ToList();

        clusters.Should().Contain(Reviews).And.NotContain("outbound|7070||reviews.default.svc.cluster.local");
        server.Logs.Events.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("is defined by both", StringComparison.Ordinal) && e.Message.Contains("reviews", StringComparison.Ordinal) && e.Message.Contains("a.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_config_file_over_the_size_limit_is_not_read_and_its_objects_stay()
    {
        WriteMesh(Mesh, ("reviews.yaml", Manifests.Service("reviews", "default", "10.96.0.10", 9080)));
        await using var server = await XdsServerInstance.StartAsync(configure: o =>
        {
            o.ConfigDir = Mesh;
            o.MaxConfigFileBytes = 4096;
        });
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar());
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        await File.WriteAllTextAsync(Path.Combine(Mesh, "reviews.yaml"), Manifests.Service("ratings", "default", "10.96.0.11", 9080) + "\n#" + new string('x', 8192) + "\n");

        await server.Logs.WaitForAsync("Skipping config file", "reviews.yaml", "larger than");
        await proxy.ExpectNothingPendingAsync("a file too large to read keeps the objects it had");
    }

    [Fact]
    public async Task An_api_server_that_cannot_be_reached_withdraws_nothing_and_reports_the_source_failing_until_it_answers_again()
    {
        await using var cluster = await TestCluster.StartAsync();
        var fake = cluster.Fake ?? throw new InvalidOperationException("drives the fake API server's failure hooks");
        var ns = await cluster.CreateNamespaceAsync("away");
        await TestServices.CreateWithEndpointAsync(cluster.Client, ns, "web", port: 80, targetPort: 8080, address: "192.0.2.30");
        await using var server = await XdsServerInstance.StartAsync(configure: o =>
        {
            o.ConfigDir = null;
            o.Kubeconfig = cluster.KubeconfigPath;
        });
        var web = $"outbound|80||web.{ns}.svc.cluster.local";
        await using var proxy = new SotwClient(server.Channel, TestNodes.Sidecar(ns: ns));
        var clusters = await Eventually.Until(
            async () => await FirstClustersAsync(server, ns),
            names => names.Contains(web),
            "the service in CDS");
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));

        // Every list and watch of the config kinds fails from now on, and the open watches break.
        fake.Options.FailReads("services", int.MaxValue);
        fake.Options.FailReads("endpointslices", int.MaxValue);
        fake.Store.CloseWatches();

        var failing = await Eventually.Until(() => SourceAsync(server, "kubernetes"), s => s.GetProperty("healthy").GetBoolean() == false, "the source to report failing");
        failing.GetProperty("failure").GetString().Should().Contain("500");
        await proxy.ExpectNothingPendingAsync("an API server that cannot be reached withdraws nothing");
        (await server.Http.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await server.Http.GetStringAsync("/metrics")).Should().Contain("controlplane_config_source_failing{source=\"kubernetes\"} 1");

        fake.Options.FailReads("services", 0);
        fake.Options.FailReads("endpointslices", 0);

        await Eventually.Until(() => SourceAsync(server, "kubernetes"), s => s.GetProperty("healthy").GetBoolean(), "the source to recover");
        await proxy.ExpectNothingPendingAsync("nothing changed while it was away, so nothing is pushed");
    }

    private static async Task<List<string>> FirstClustersAsync(XdsServerInstance server, string ns)
    {
        await using var probe = new SotwClient(server.Channel, TestNodes.Sidecar(pod: "probe", ns: ns));
        return (await probe.RequestAsync(TypeUrls.Cluster)).Resources.Select(r => r.Unpack<Cluster>().Name).ToList();
    }

    private static void WriteMesh(string directory, params (string Name, string Yaml)[] files)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(directory, name), yaml);
        }
    }

    private static async Task<JsonElement> SourceAsync(XdsServerInstance server, string name)
    {
        using var sources = JsonDocument.Parse(await server.Http.GetStringAsync("/debug/sources"));
        return sources.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name).Clone();
    }
}
