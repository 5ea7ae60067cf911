using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// Per-interface ejection as the real @grpc/grpc-js-xds 1.14 client carries it out: two backends of one
/// service, one failing only interface A (the method Pay). Once the client has ejected it from A's
/// interface cluster, A's calls reach only the healthy backend, while interface B's calls (Browse, an
/// interface with ejection of its own) and every other call still reach both. Both ways of saying when
/// to eject: gRPC's failure percentage, and consecutive errors (which gRPC clients get as its equivalent).
/// </summary>
public sealed class InterfaceEjectionInteropTests : IClassFixture<ProxylessInteropFixture>
{
    private const int Port = 7070;
    private readonly ProxylessInteropFixture _fixture;

    public InterfaceEjectionInteropTests(ProxylessInteropFixture fixture)
    {
        _fixture = fixture;
    }

    private GrpcXdsClientProcess Client => _fixture.Client;

    [Theory]
    [InlineData("iod-percent", "10.96.9.21", "failurePercentage: {threshold: 50, minimumHosts: 2, requestVolume: 5}")]
    [InlineData("iod-consecutive", "10.96.9.22", "consecutive5xxErrors: 3")]
    public async Task A_backend_failing_one_interface_is_ejected_for_that_interface_only(string ns, string clusterIp, string ejection)
    {
        var (good, bad) = ($"{ns}-good", $"{ns}-bad");
        var target = $"echo.{ns}.svc.cluster.local:{Port}";
        var ports = await Client.StartBackendsAsync(good, bad);
        var mesh = InteropManifests.Join(
            [
                InteropManifests.Service("echo", ns, clusterIp, Port),
                .. ports.Select(p => InteropManifests.Backend("echo", ns, p.Key, p.Value, new Dictionary<string, string> { ["app"] = "echo" })),
            ]);
        await _fixture.ApplyAsync($"{ns}.yaml", mesh);
        await Eventually.Until(() => Client.CallsAsync(target, 20, GrpcXdsClientProcess.Pay), batch => batch.ByBackend.Count == 2, "Pay calls to reach both backends");

        // INTERNAL: the default gRPC retry policy (unavailable, cancelled) does not retry it, so each call is one attempt.
        await Client.BehaveAsync(bad, new Behaviour(FailWith: StatusCode.Internal), GrpcXdsClientProcess.Pay);
        var outlier = $"{{{ejection}, interval: 1s, baseEjectionTime: 5m, maxEjectionPercent: 100}}";
        await _fixture.ApplyAsync($"{ns}.yaml", InteropManifests.Join(mesh, $"""
            apiVersion: mesh.controlplane.io/v1alpha1
            kind: InterfaceOutlierDetection
            metadata: {Flow($"name: echo, namespace: {ns}")}
            spec:
              host: echo.{ns}.svc.cluster.local
              interfaces:
              - name: pay
                match: {Flow($"uri: {Flow($"exact: {GrpcXdsClientProcess.Pay}")}")}
                outlierDetection: {outlier}
              - name: browse
                match: {Flow($"uri: {Flow($"exact: {GrpcXdsClientProcess.Browse}")}")}
                outlierDetection: {outlier}
            """));
        await Eventually.Until(
            () => Client.CallsAsync(target, 20, GrpcXdsClientProcess.Pay),
            batch => batch.CountFrom(good) == 20,
            "the failing backend to be ejected from Pay's interface cluster (every Pay call to the healthy one)");
        var badPay = await Client.StatsAsync(bad, GrpcXdsClientProcess.Pay);

        var pay = await Client.CallsAsync(target, 40, GrpcXdsClientProcess.Pay);
        var browse = await Client.CallsAsync(target, 40, GrpcXdsClientProcess.Browse);
        var other = await Client.CallsAsync(target, 40);

        pay.CountFrom(good).Should().Be(40, pay.ToString());
        (await Client.StatsAsync(bad, GrpcXdsClientProcess.Pay)).Attempts.Should().Be(badPay.Attempts, "an ejected backend gets no calls of the interface it fails");
        foreach (var (batch, what) in new[] { (browse, "interface B (Browse)"), (other, "a call of no interface") })
        {
            batch.CountOf(StatusCode.OK).Should().Be(40, $"{what}: {batch}");
            batch.CountFrom(bad).Should().BeGreaterThan(0, $"{what} still reaches the backend that fails only Pay ({batch})");
            batch.CountFrom(good).Should().BeGreaterThan(0, $"{what} reaches both backends ({batch})");
        }
    }

    /// <summary>A YAML flow mapping of <paramref name="content"/>.</summary>
    private static string Flow(string content) => "{" + content + "}";
}
