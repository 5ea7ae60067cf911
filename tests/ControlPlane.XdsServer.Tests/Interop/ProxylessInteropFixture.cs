using System.Text.Json;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// One xds-server and one proxyless client process (tests/interop/xds-client.mjs) for a whole test
/// class, so the class pays for starting node and the client's xDS stream once. The client is a
/// gRPC node in namespace <see cref="ClientNamespace"/>. Tests share them: each writes its own
/// config file, starts backends and calls targets of its own, and never counts others' calls.
/// </summary>
public sealed class ProxylessInteropFixture : IAsyncLifetime
{
    public const string ClientNamespace = "apps";

    private string? _bootstrapDirectory;
    private XdsServerInstance? _server;
    private GrpcXdsClientProcess? _client;

    public XdsServerInstance Server => _server ?? throw new InvalidOperationException("the fixture is not started");

    public GrpcXdsClientProcess Client => _client ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        _server = await XdsServerInstance.StartAsync();
        _bootstrapDirectory = Directory.CreateTempSubdirectory("grpc-bootstrap-").FullName;
        var bootstrap = Path.Combine(_bootstrapDirectory, "bootstrap.json");
        await File.WriteAllTextAsync(bootstrap, Bootstrap(_server.GrpcAddress.Port));
        _client = await GrpcXdsClientProcess.StartAsync(bootstrap);
    }

    /// <summary>
    /// Writes a config file of the server's config directory in one step (a temporary file moved in
    /// place), so the server never reads half of it: a client resolving a new target then sees every
    /// object of the file from its first answer.
    /// </summary>
    public Task ApplyAsync(string name, string yaml) => Server.WriteConfigAsync(name, yaml);

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_bootstrapDirectory is not null)
        {
            Directory.Delete(_bootstrapDirectory, recursive: true);
        }
    }

    /// <summary>A gRPC xDS bootstrap naming the server on 127.0.0.1 and a node istiod would serve with its gRPC generator.</summary>
    public static string Bootstrap(int xdsPort) => JsonSerializer.Serialize(new
    {
        xds_servers = new[]
        {
            new
            {
                server_uri = $"127.0.0.1:{xdsPort}",
                channel_creds = new[] { new { type = "insecure" } },
                server_features = new[] { "xds_v3" },
            },
        },
        node = new
        {
            id = $"sidecar~127.0.0.1~grpc-client.{ClientNamespace}~{ClientNamespace}.svc.cluster.local",
            metadata = new { GENERATOR = "grpc", NAMESPACE = ClientNamespace, ISTIO_VERSION = "1.10.0" },
            locality = new { zone = "zone-a" },
        },
    });
}
