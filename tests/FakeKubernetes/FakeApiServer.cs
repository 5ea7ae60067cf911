using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1, speaking the real HTTP list/watch protocol, with
/// the built-in admission a real one applies (no ServiceAccount appears by itself) and, after a delay,
/// the namespace controller's and garbage collector's work (see <see cref="FakeControllers"/>).
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeControllers _controllers;

    private FakeApiServer(WebApplication app, FakeObjectStore store, ApiRequestHandler handler, FakeControllers controllers, FakeApiServerOptions options)
    {
        _app = app;
        _controllers = controllers;
        Store = store;
        Handler = handler;
        Options = options;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
    }

    public Uri Address { get; }

    public FakeObjectStore Store { get; }

    public ApiRequestHandler Handler { get; }

    public FakeApiServerOptions Options { get; }

    public static async Task<FakeApiServer> StartAsync(FakeApiServerOptions? options = null)
    {
        options ??= new FakeApiServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Clients under test may leave watch requests open when they stop; do not wait long for them.
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var store = new FakeObjectStore();
        var controllers = new FakeControllers(store, options);
        var handler = new ApiRequestHandler(store, options, controllers);
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        return new FakeApiServer(app, store, handler, controllers, options);
    }

    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = Address.ToString().TrimEnd('/') };

    public IKubernetes CreateClient() => new k8s.Kubernetes(ClientConfiguration());

    /// <summary>A kubeconfig file for processes that take --kubeconfig.</summary>
    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster: {"{"}server: "{Address.ToString().TrimEnd('/')}"{"}"}
            users:
            - name: fake
              user: {"{"}token: fake-token{"}"}
            contexts:
            - name: fake
              context: {"{"}cluster: fake, user: fake{"}"}
            current-context: fake
            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        _controllers.Dispose();
        Store.CloseWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
