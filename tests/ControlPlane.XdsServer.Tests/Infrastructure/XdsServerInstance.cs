using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>The real xds-server host on loopback ports chosen by the OS, with a temporary config directory.</summary>
public sealed class XdsServerInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private XdsServerInstance(WebApplication app, string configDir, TestLogSink logs)
    {
        _app = app;
        ConfigDir = configDir;
        Logs = logs;
        var ports = app.Services.GetRequiredService<ControlPlane.Mesh.Hosting.BoundPorts>();
        GrpcAddress = new Uri($"http://127.0.0.1:{ports.PortOf("grpc")}");
        HttpAddress = new Uri($"http://127.0.0.1:{ports.PortOf("http")}");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Http = new HttpClient { BaseAddress = HttpAddress };
    }

    public string ConfigDir { get; }

    public TestLogSink Logs { get; }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public GrpcChannel Channel { get; }

    public HttpClient Http { get; }

    public MeshObjectStore Store => _app.Services.GetRequiredService<MeshObjectStore>();

    public XdsCache Cache => _app.Services.GetRequiredService<XdsCache>();

    /// <summary>The streams' shared services (send slots, prepared responses).</summary>
    public AdsStreamContext StreamContext => _app.Services.GetRequiredService<AdsStreamContext>();

    public GenerationStats Stats => _app.Services.GetRequiredService<ConfigGenerator>().Stats;

    public ControlPlane.XdsServer.Sources.WatchedObjectCache WatchedObjects => _app.Services.GetRequiredService<ControlPlane.XdsServer.Sources.WatchedObjectCache>();

    public ConnectionRegistry Connections => _app.Services.GetRequiredService<ConnectionRegistry>();

    /// <summary>The host's services, for tests that drive or read one directly.</summary>
    public IServiceProvider Services => _app.Services;

    /// <param name="files">Config files (name → YAML) present before the server starts.</param>
    /// <param name="waitReady">False to return as soon as the server listens, before /healthz/ready answers 200.</param>
    public static async Task<XdsServerInstance> StartAsync(IReadOnlyDictionary<string, string>? files = null, Action<XdsServerOptions>? configure = null, bool waitReady = true)
    {
        var configDir = Directory.CreateTempSubdirectory("xds-config-").FullName;
        foreach (var (name, text) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(configDir, name), text);
        }

        var options = new XdsServerOptions
        {
            ConfigDir = configDir,
            GrpcPort = 0,
            HttpPort = 0,
            ListenAddress = "127.0.0.1",
            DebounceAfter = TimeSpan.FromMilliseconds(10),
            DebounceMax = TimeSpan.FromMilliseconds(500),
            ConfigPollInterval = TimeSpan.FromMilliseconds(500),
            LogLevel = "Debug",
        };
        configure?.Invoke(options);
        var logs = new TestLogSink();
        var app = XdsServerHost.Build(options, builder => builder.Logging.AddProvider(logs));
        await app.StartAsync();
        var instance = new XdsServerInstance(app, configDir, logs);
        if (!waitReady)
        {
            return instance;
        }

        await Eventually.Until(
            async () => (await instance.Http.GetAsync("/healthz/ready")).IsSuccessStatusCode,
            ready => ready,
            "the server to report ready");
        return instance;
    }

    /// <summary>Replaces or creates a config file in one step, so the server never reads it half-written (see <see cref="ConfigFiles.WriteAsync"/>).</summary>
    public Task WriteConfigAsync(string name, string yaml) => ConfigFiles.WriteAsync(ConfigDir, name, yaml);

    public void DeleteConfig(string name) => File.Delete(Path.Combine(ConfigDir, name));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(ConfigDir, recursive: true);
    }
}
