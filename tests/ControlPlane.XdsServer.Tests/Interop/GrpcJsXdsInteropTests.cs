using System.Text.Json;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// The real third-party proxyless client, @grpc/grpc-js-xds, resolves a service through this server
/// (LDS → RDS → CDS → EDS) and its RPCs reach the backend an EndpointSlice names.
/// </summary>
public sealed class GrpcJsXdsInteropTests
{
    private const string Target = "echo.apps.svc.cluster.local:7070";

    [Fact]
    public async Task Proxyless_client_follows_endpoint_slice_changes_without_restarting()
    {
        await using var server = await XdsServerInstance.StartAsync();
        var bootstrap = Path.Combine(server.ConfigDir, "..", $"bootstrap-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bootstrap, JsonSerializer.Serialize(new
        {
            xds_servers = new[]
            {
                new
                {
                    server_uri = $"127.0.0.1:{server.GrpcAddress.Port}",
                    channel_creds = new[] { new { type = "insecure" } },
                    server_features = new[] { "xds_v3" },
                },
            },
            node = new
            {
                id = "sidecar~127.0.0.1~grpc-client.apps~apps.svc.cluster.local",
                metadata = new { GENERATOR = "grpc", NAMESPACE = "apps", ISTIO_VERSION = "1.10.0" },
                locality = new { zone = "zone-a" },
            },
        }));

        try
        {
            await using var client = await GrpcXdsClientProcess.StartAsync(bootstrap);
            await server.WriteConfigAsync("echo.yaml", Manifests.Join(
                Manifests.Service("echo", "apps", "10.96.7.70", 7070, "grpc"),
                Manifests.EndpointSlice("echo", "apps", client.BackendAPort, "grpc", "127.0.0.1")));

            await Eventually.Until(() => client.CallAsync(Target), reply => reply == "A", "RPCs to reach backend A");

            await server.WriteConfigAsync("echo.yaml", Manifests.Join(
                Manifests.Service("echo", "apps", "10.96.7.70", 7070, "grpc"),
                Manifests.EndpointSlice("echo", "apps", client.BackendBPort, "grpc", "127.0.0.1")));

            await Eventually.Until(() => client.CallAsync(Target), reply => reply == "B", "the live client to move to backend B");
            (await client.CallAsync(Target)).Should().Be("B", "backend A is no longer an endpoint");
        }
        finally
        {
            File.Delete(bootstrap);
        }
    }
}
