using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// VirtualServices and DestinationRules as the real @grpc/grpc-js-xds 1.14 client carries them out:
/// weighted subsets, header and path matches, fault abort and delay, retries, route timeouts, ring
/// hash and outlier detection. Each test has a namespace, service and backends of its own; the
/// class shares one server and one client process.
/// </summary>
public sealed class ProxylessTrafficInteropTests : IClassFixture<ProxylessInteropFixture>
{
    private const string Port = "7070";
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    private readonly ProxylessInteropFixture _fixture;

    public ProxylessTrafficInteropTests(ProxylessInteropFixture fixture)
    {
        _fixture = fixture;
    }

    private GrpcXdsClientProcess Client => _fixture.Client;

    [Fact]
    public async Task Weighted_subsets_share_calls_by_their_weights()
    {
        const string ns = "split";
        var ports = await Client.StartBackendsAsync("split-v1", "split-v2");
        await _fixture.ApplyAsync("split.yaml", InteropManifests.Join(
            Backends(ns, "10.96.9.1", ports),
            Subsets(ns, "v1", "v2"),
            VirtualService(ns, """
                http:
                - route:
                  - destination: {host: echo.split.svc.cluster.local, subset: v1}
                    weight: 80
                  - destination: {host: echo.split.svc.cluster.local, subset: v2}
                    weight: 20
                """)));
        await UntilServedAsync(ns);

        // The client picks a weighted cluster per call with Math.random(): the count for v1 is
        // binomial, n = 1000, p = 0.8, standard deviation sqrt(1000 · 0.8 · 0.2) ≈ 12.6 calls
        // (1.26%). A tolerance of ±6% is 4.7 standard deviations: a correct split fails it with
        // probability about 2·10⁻⁶, while an even split (50%) or reversed weights (20%) are far out.
        var batch = await Client.CallsAsync(Target(ns), 1000, concurrency: 8);

        batch.CountOf(StatusCode.OK).Should().Be(1000, batch.ToString());
        var share = batch.CountFrom("split-v1") / 1000.0;
        share.Should().BeApproximately(0.80, 0.06, $"v1 has weight 80 of 100 ({batch})");
        batch.CountFrom("split-v2").Should().Be(1000 - batch.CountFrom("split-v1"), "only the two subsets' backends serve");
    }

    [Fact]
    public async Task Header_and_path_matches_choose_the_subset()
    {
        const string ns = "match";
        var ports = await Client.StartBackendsAsync("match-v1", "match-v2");
        await _fixture.ApplyAsync("match.yaml", InteropManifests.Join(
            Backends(ns, "10.96.9.2", ports),
            Subsets(ns, "v1", "v2"),
            VirtualService(ns, """
                http:
                - match:
                  - headers: {x-tier: {exact: gold}}
                  route:
                  - destination: {host: echo.match.svc.cluster.local, subset: v2}
                - match:
                  - uri: {prefix: /controlplane.interop.Echo/Pay}
                  route:
                  - destination: {host: echo.match.svc.cluster.local, subset: v2}
                - route:
                  - destination: {host: echo.match.svc.cluster.local, subset: v1}
                """)));
        await UntilServedAsync(ns);

        var gold = await Client.CallsAsync(Target(ns), 20, metadata: new Dictionary<string, string> { ["x-tier"] = "gold" });
        var silver = await Client.CallsAsync(Target(ns), 20, metadata: new Dictionary<string, string> { ["x-tier"] = "silver" });
        var plain = await Client.CallsAsync(Target(ns), 20);
        var pay = await Client.CallsAsync(Target(ns), 20, GrpcXdsClientProcess.Pay);

        gold.CountFrom("match-v2").Should().Be(20, $"x-tier: gold matches the first rule ({gold})");
        silver.CountFrom("match-v1").Should().Be(20, $"another value falls through to the last rule ({silver})");
        plain.CountFrom("match-v1").Should().Be(20, $"no header falls through to the last rule ({plain})");
        pay.CountFrom("match-v2").Should().Be(20, $"the Pay method's path matches the prefix rule ({pay})");
    }

    [Fact]
    public async Task Fault_abort_added_to_a_live_route_fails_calls_with_its_status_before_any_backend()
    {
        const string ns = "abort";
        var ports = await Client.StartBackendsAsync("abort-a");
        var mesh = Backends(ns, "10.96.9.3", ports);
        await _fixture.ApplyAsync("abort.yaml", InteropManifests.Join(mesh, VirtualService(ns, """
            http:
            - route:
              - destination: {host: echo.abort.svc.cluster.local}
            """)));
        await UntilServedAsync(ns);

        // The same listener and route name: only the route configuration changes.
        await _fixture.ApplyAsync("abort.yaml", InteropManifests.Join(mesh, VirtualService(ns, """
            http:
            - fault:
                abort: {httpStatus: 403, percentage: {value: 100}}
              route:
              - destination: {host: echo.abort.svc.cluster.local}
            """)));
        await Eventually.Until(() => Client.CallsAsync(Target(ns), 1), b => b.Results[0].Code == StatusCode.PermissionDenied, "the abort to reach the live client");
        var before = await Client.StatsAsync("abort-a");

        var batch = await Client.CallsAsync(Target(ns), 20);

        batch.CountOf(StatusCode.PermissionDenied).Should().Be(20, $"HTTP 403 is PERMISSION_DENIED in gRPC ({batch})");
        batch.Results.Should().OnlyContain(r => r.Details == "Fault injected");
        (await Client.StatsAsync("abort-a")).Attempts.Should().Be(before.Attempts, "an aborted call never reaches a backend");
    }

    [Fact]
    public async Task Fault_delay_holds_calls_for_at_least_the_delay()
    {
        const string ns = "delay";
        var ports = await Client.StartBackendsAsync("delay-a", "delay-b");
        var mesh = InteropManifests.Join(Backends(ns, "10.96.9.4", ports), Subsets(ns, "a", "b"));
        await _fixture.ApplyAsync("delay.yaml", InteropManifests.Join(mesh, VirtualService(ns, """
            http:
            - route:
              - destination: {host: echo.delay.svc.cluster.local, subset: a}
            """)));
        await Eventually.Until(() => Client.CallAsync(Target(ns)), reply => reply == "delay-a", "calls to reach subset a");

        // Delay and destination change together: once calls reach b, the delay applies.
        await _fixture.ApplyAsync("delay.yaml", InteropManifests.Join(mesh, VirtualService(ns, """
            http:
            - fault:
                delay: {fixedDelay: 400ms, percentage: {value: 100}}
              route:
              - destination: {host: echo.delay.svc.cluster.local, subset: b}
            """)));
        await Eventually.Until(() => Client.CallAsync(Target(ns)), reply => reply == "delay-b", "calls to reach subset b");

        var batch = await Client.CallsAsync(Target(ns), 5, deadline: TimeSpan.FromSeconds(30));

        batch.CountFrom("delay-b").Should().Be(5, batch.ToString());
        batch.Results.Should().OnlyContain(r => r.Elapsed >= TimeSpan.FromMilliseconds(400), "every call waits the fixed delay (percentage 100)");
    }

    [Fact]
    public async Task Retries_resend_a_call_failing_with_a_retriable_status_as_often_as_attempts_says()
    {
        const string ns = "retry";
        var ports = await Client.StartBackendsAsync("retry-a");
        await _fixture.ApplyAsync("retry.yaml", InteropManifests.Join(Backends(ns, "10.96.9.5", ports), VirtualService(ns, """
            http:
            - retries: {attempts: 3, retryOn: unavailable}
              route:
              - destination: {host: echo.retry.svc.cluster.local}
            """)));
        await UntilServedAsync(ns);

        // Three failures: Istio's default policy (2 retries) would give up, this one (3) succeeds on the 4th attempt.
        await Client.BehaveAsync("retry-a", new Behaviour(FailWith: StatusCode.Unavailable, FailTimes: 3));
        var before = await Client.StatsAsync("retry-a");

        var batch = await Client.CallsAsync(Target(ns), 1, deadline: TimeSpan.FromSeconds(30));

        batch.Results[0].Code.Should().Be(StatusCode.OK, batch.ToString());
        var after = await Client.StatsAsync("retry-a");
        (after.Attempts - before.Attempts).Should().Be(4, "the first attempt and 3 retries");
        (after.Retries - before.Retries).Should().Be(3, "the client marks retries with grpc-previous-rpc-attempts");
    }

    [Fact]
    public async Task Route_timeout_ends_a_slow_call_with_deadline_exceeded()
    {
        const string ns = "timeout";
        var ports = await Client.StartBackendsAsync("timeout-a");
        await _fixture.ApplyAsync("timeout.yaml", InteropManifests.Join(Backends(ns, "10.96.9.6", ports), VirtualService(ns, """
            http:
            - timeout: 300ms
              route:
              - destination: {host: echo.timeout.svc.cluster.local}
            """)));
        await UntilServedAsync(ns);
        await Client.BehaveAsync("timeout-a", new Behaviour(Delay: TimeSpan.FromSeconds(20)), GrpcXdsClientProcess.Browse);

        // The caller allows 30 s: only the route's timeout can end the call before the backend answers.
        var batch = await Client.CallsAsync(Target(ns), 1, GrpcXdsClientProcess.Browse, deadline: TimeSpan.FromSeconds(30));

        batch.Results[0].Code.Should().Be(StatusCode.DeadlineExceeded, batch.ToString());
        batch.Results[0].Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Ring_hash_sends_every_call_with_one_key_to_one_backend()
    {
        const string ns = "hash";
        var ports = await Client.StartBackendsAsync("hash-a", "hash-b", "hash-c");
        await _fixture.ApplyAsync("hash.yaml", InteropManifests.Join(Backends(ns, "10.96.9.7", ports), """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: echo, namespace: hash}
            spec:
              host: echo.hash.svc.cluster.local
              trafficPolicy:
                loadBalancer:
                  consistentHash: {httpHeaderName: x-user}
            """));
        await UntilServedAsync(ns);

        var chosen = new Dictionary<string, string>();
        for (var user = 0; user < 12; user++)
        {
            var batch = await Client.CallsAsync(Target(ns), 10, metadata: new Dictionary<string, string> { ["x-user"] = $"user-{user}" });
            batch.CountOf(StatusCode.OK).Should().Be(10, batch.ToString());
            batch.ByBackend.Should().ContainSingle($"user-{user}'s calls hash to one point of the ring ({batch})");
            chosen[$"user-{user}"] = batch.ByBackend.Keys.Single();
        }

        // Keys spread over the ring: twelve keys all on one of three backends would mean the key is not hashed.
        chosen.Values.Distinct().Should().HaveCountGreaterThan(1, "different keys land on different backends");
    }

    [Fact]
    public async Task Outlier_detection_added_to_a_live_cluster_ejects_a_failing_backend()
    {
        const string ns = "eject";
        var ports = await Client.StartBackendsAsync("eject-good", "eject-bad");
        var mesh = Backends(ns, "10.96.9.8", ports);
        await _fixture.ApplyAsync("eject.yaml", mesh);
        await Eventually.Until(() => Client.CallsAsync(Target(ns), 20), batch => batch.ByBackend.Count == 2, "calls to reach both backends");

        // INTERNAL: no retry policy retries it, so each call is one attempt at the backend picked.
        await Client.BehaveAsync("eject-bad", new Behaviour(FailWith: StatusCode.Internal));
        await _fixture.ApplyAsync("eject.yaml", InteropManifests.Join(mesh, """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: echo, namespace: eject}
            spec:
              host: echo.eject.svc.cluster.local
              trafficPolicy:
                outlierDetection:
                  consecutive5xxErrors: 3
                  interval: 1s
                  baseEjectionTime: 5m
                  maxEjectionPercent: 100
            """));
        await Eventually.Until(
            () => Client.CallsAsync(Target(ns), 20),
            batch => batch.CountFrom("eject-good") == 20,
            "the failing backend to be ejected (every call to the healthy one)");
        var before = await Client.StatsAsync("eject-bad");

        var after = await Client.CallsAsync(Target(ns), 40);

        after.CountFrom("eject-good").Should().Be(40, after.ToString());
        (await Client.StatsAsync("eject-bad")).Attempts.Should().Be(before.Attempts, "an ejected backend gets no calls");
    }

    private static string Target(string ns) => $"echo.{ns}.svc.cluster.local:{Port}";

    /// <summary>The Service echo of <paramref name="ns"/> and one backend per port, labelled version: NAME-SUFFIX (split-v1 → v1).</summary>
    private static string Backends(string ns, string clusterIp, IReadOnlyDictionary<string, int> ports) => InteropManifests.Join(
        [
            InteropManifests.Service("echo", ns, clusterIp, int.Parse(Port, System.Globalization.CultureInfo.InvariantCulture)),
            .. ports.Select(p => InteropManifests.Backend("echo", ns, p.Key, p.Value, new Dictionary<string, string> { ["app"] = "echo", ["version"] = p.Key[(p.Key.LastIndexOf('-') + 1)..] })),
        ]).TrimEnd();

    /// <summary>A DestinationRule with one subset per version label.</summary>
    private static string Subsets(string ns, params string[] versions) => $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {"{"}name: echo, namespace: {ns}{"}"}
        spec:
          host: echo.{ns}.svc.cluster.local
          subsets:
        {string.Join('\n', versions.Select(v => $"  - {{name: {v}, labels: {{version: {v}}}}}"))}
        """;

    private static string VirtualService(string ns, string spec) => $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {"{"}name: echo, namespace: {ns}{"}"}
        spec:
          hosts: [echo.{ns}.svc.cluster.local]
        {Indent(spec)}
        """;

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(line => "  " + line));

    /// <summary>Until a batch of calls all succeed: the client has the target's listener, routes, clusters and endpoints.</summary>
    private Task UntilServedAsync(string ns) => Eventually.Until(
        () => Client.CallsAsync(Target(ns), 5),
        batch => batch.CountOf(StatusCode.OK) == 5,
        $"calls to {Target(ns)} to succeed");
}
