using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.FakeKubernetes;

/// <summary>An in-process Kubernetes API server on 127.0.0.1, speaking the real HTTP list/watch protocol.</summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeApiServer(WebApplication app, FakeObjectStore store, ApiRequestHandler handler, FakeApiServerOptions options)
    {
        _app = app;
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
        var handler = new ApiRequestHandler(store, options);
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        return new FakeApiServer(app, store, handler, options);
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
        Store.CloseWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
