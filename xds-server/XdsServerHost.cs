using System.Net;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ControlPlane.Mesh.Hosting;
using Prometheus;
using Serilog;

namespace ControlPlane.XdsServer;

/// <summary>Builds the xds-server application: plaintext ADS on the gRPC port, monitoring and debug on the HTTP port.</summary>
public static class XdsServerHost
{
    public static WebApplication Build(XdsServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<BoundPorts>();
        // Serilog writes the console; providers tests add still receive every event (writeToProviders).
        // The static Log.Logger is left alone so that several hosts in one process keep their own logs.
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog((_, logger) => ConsoleLogging.Configure(logger, options.LogLevel, options.LogFormat), preserveStaticLogger: true, writeToProviders: true);

        var address = IPAddress.Parse(options.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var ports = kestrel.ApplicationServices.GetRequiredService<BoundPorts>();
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                ports.Record("grpc", listen);
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                ports.Record("http", listen);
            });
        });

        builder.Services.AddXdsServer();
        if (!string.IsNullOrEmpty(options.ConfigDir))
        {
            builder.Services.AddFileConfigSource();
        }

        if (options.Kubernetes || !string.IsNullOrEmpty(options.Kubeconfig))
        {
            builder.Services.AddKubernetesConfigSource();
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<AdsService>();
        app.MapMetrics("/metrics");
        app.MapXdsDebugEndpoints();
        return app;
    }
}
