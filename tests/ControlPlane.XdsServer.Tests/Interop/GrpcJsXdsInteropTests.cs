using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// The real third-party proxyless client, @grpc/grpc-js-xds, resolves a service through this server
/// (LDS → RDS → CDS → EDS) and its RPCs reach the backends EndpointSlices name; the harness's
/// backends fail, delay and count per method as the other interop tests need.
/// </summary>
public sealed class GrpcJsXdsInteropTests : IClassFixture<ProxylessInteropFixture>
{
    private readonly ProxylessInteropFixture _fixture;

    public GrpcJsXdsInteropTests(ProxylessInteropFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Proxyless_client_follows_endpoint_slice_changes_without_restarting()
    {
        const string target = "echo.moves.svc.cluster.local:7070";
        var client = _fixture.Client;
        var ports = await client.StartBackendsAsync("moves-a", "moves-b");
        await _fixture.Server.WriteConfigAsync("moves.yaml", InteropManifests.Join(
            InteropManifests.Service("echo", "moves", "10.96.7.70", 7070),
            InteropManifests.Backend("echo", "moves", "moves-a", ports["moves-a"])));

        await Eventually.Until(() => client.CallAsync(target), reply => reply == "moves-a", "RPCs to reach backend moves-a");

        await _fixture.Server.WriteConfigAsync("moves.yaml", InteropManifests.Join(
            InteropManifests.Service("echo", "moves", "10.96.7.70", 7070),
            InteropManifests.Backend("echo", "moves", "moves-b", ports["moves-b"])));

        await Eventually.Until(() => client.CallAsync(target), reply => reply == "moves-b", "the live client to move to backend moves-b");
        (await client.CallAsync(target)).Should().Be("moves-b", "backend moves-a is no longer an endpoint");
    }

    [Fact]
    public async Task Backends_fail_delay_and_count_per_method_as_told()
    {
        const string target = "echo.harness.svc.cluster.local:7070";
        var client = _fixture.Client;
        var ports = await client.StartBackendsAsync("harness-a");
        await _fixture.Server.WriteConfigAsync("harness.yaml", InteropManifests.Join(
            InteropManifests.Service("echo", "harness", "10.96.7.71", 7070),
            InteropManifests.Backend("echo", "harness", "harness-a", ports["harness-a"])));
        await Eventually.Until(() => client.CallAsync(target), reply => reply == "harness-a", "RPCs to reach the backend");

        // PERMISSION_DENIED: no retry policy retries it, so every call is one attempt.
        await client.BehaveAsync("harness-a", new Behaviour(FailWith: StatusCode.PermissionDenied, FailTimes: 2), GrpcXdsClientProcess.Pay);
        await client.BehaveAsync("harness-a", new Behaviour(Delay: TimeSpan.FromMilliseconds(300)), GrpcXdsClientProcess.Browse);
        var before = await client.StatsAsync("harness-a", GrpcXdsClientProcess.Pay);

        var pay = await client.CallsAsync(target, 3, GrpcXdsClientProcess.Pay);
        var browse = await client.CallsAsync(target, 1, GrpcXdsClientProcess.Browse, deadline: TimeSpan.FromSeconds(10));
        var timedOut = await client.CallsAsync(target, 1, GrpcXdsClientProcess.Browse, deadline: TimeSpan.FromMilliseconds(100));

        pay.Results.Select(r => r.Code).Should().Equal([StatusCode.PermissionDenied, StatusCode.PermissionDenied, StatusCode.OK], pay.ToString());
        (await client.StatsAsync("harness-a", GrpcXdsClientProcess.Pay)).Attempts.Should().Be(before.Attempts + 3);
        browse.Results[0].Code.Should().Be(StatusCode.OK);
        browse.Results[0].Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300), "the backend waits before it answers");
        timedOut.Results[0].Code.Should().Be(StatusCode.DeadlineExceeded, "the client's own deadline ends a call the backend delays");
    }
}
