using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>
/// A mutating admission webhook for tests: HTTPS on 127.0.0.1 with a given certificate. It records
/// every AdmissionReview it gets and answers with whatever <see cref="Respond"/> says.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedReview> _received = new();
    private readonly CancellationTokenSource _stopping = new();

    private readonly X509Certificate2 _certificate;

    private WebhookServer(WebApplication app, X509Certificate2 certificate) => (_app, _certificate) = (app, certificate);

    /// <summary>https://127.0.0.1:PORT</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Given the review's request and a token that ends when the caller hangs up, the response (its uid is filled in).</summary>
    public Func<JsonObject, CancellationToken, Task<JsonObject>> Respond { get; set; } = (_, _) => Task.FromResult(AdmissionResponses.Allow());

    public IReadOnlyList<ReceivedReview> Received => _received.ToArray();

    /// <param name="certificate">The TLS certificate with its key; the server owns it from now on.</param>
    public static async Task<WebhookServer> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new WebhookServer(app, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Address = new Uri(address);
        return server;
    }

    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>Answers every review after <paramref name="respond"/> with no further thought.</summary>
    public void RespondWith(Func<JsonObject, JsonObject> respond) => Respond = (request, _) => Task.FromResult(respond(request));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var review = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        _received.Enqueue(new ReceivedReview(context.Request.Path + context.Request.QueryString, review));
        var request = (JsonObject)review["request"]!;
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        JsonObject response;
        try
        {
            response = await Respond(request, hangUp.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        response["uid"] ??= request["uid"]!.GetValue<string>();
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        }.ToJsonString());
    }
}
