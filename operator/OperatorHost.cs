using System.Net;
using ControlPlane.Operator.Certificates;
using ControlPlane.Operator.Settings;
using ControlPlane.Operator.Webhook;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ControlPlane.Mesh.Hosting;
using Prometheus;

namespace ControlPlane.Operator;

/// <summary>Builds the operator: the HTTPS webhook port and the HTTP monitoring port.</summary>
public static class OperatorHost
{
    /// <summary>The option that sets each endpoint's port, for messages about ports that cannot be bound.</summary>
    public static readonly IReadOnlyDictionary<string, string> PortOptions = new Dictionary<string, string>
    {
        ["webhook"] = "--webhook-port",
        ["http"] = "--http-port",
    };

    public static WebApplication Build(OperatorOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ControlPlaneHost.CreateBuilder(options, options.LogLevel, options.LogFormat);
        builder.Services.AddSidecarInjectionOperator();

        var address = IPAddress.Parse(options.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var ports = kestrel.ApplicationServices.GetRequiredService<BoundPorts>();
            var certificates = kestrel.ApplicationServices.GetRequiredService<WebhookCertificateStore>();
            kestrel.Listen(address, options.WebhookPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Read per handshake, so a rotated certificate is served without a restart.
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificates.Current);
                ports.Record("webhook", listen);
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                ports.Record("http", listen);
            });
        });

        configure?.Invoke(builder);
        var app = builder.Build();
        var webhook = app.Services.GetRequiredService<InjectionWebhook>();
        app.MapPost("/inject", (Delegate)webhook.HandleAsync);
        app.MapGet("/healthz/ready", (WebhookCertificateStore certificates, InjectionSettingsStore settings, NamespaceLookup namespaces) =>
            certificates.Current is null ? Results.Text("not ready: no webhook certificate yet", statusCode: StatusCodes.Status503ServiceUnavailable)
            : !settings.HasSynced || !namespaces.HasSynced ? Results.Text("not ready: watches not synced", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready"));
        app.MapMetrics("/metrics");
        return app;
    }
}
