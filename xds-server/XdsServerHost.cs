using System.Net;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Hosting;
using ControlPlane.XdsServer.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ControlPlane.Mesh.Hosting;
using Prometheus;

namespace ControlPlane.XdsServer;

/// <summary>Builds the xds-server application: plaintext ADS on the gRPC port, monitoring and debug on the HTTP port.</summary>
public static class XdsServerHost
{
    /// <summary>The option that sets each endpoint's port, for messages about ports that cannot be bound.</summary>
    public static readonly IReadOnlyDictionary<string, string> PortOptions = new Dictionary<string, string>
    {
        ["grpc"] = "--grpc-port",
        ["http"] = "--http-port",
    };

    /// <summary>Pending connections the listening sockets ask the kernel to queue (capped by net.core.somaxconn).</summary>
    public const int ListenBacklog = 65535;

    public static WebApplication Build(XdsServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        MetricsExport.Configure();
        var builder = ControlPlaneHost.CreateBuilder(options, options.LogLevel, options.LogFormat);

        var address = IPAddress.Parse(options.ListenAddress);

        // Every sidecar of a cluster reconnects at once when a replica restarts: Kestrel's default
        // listen backlog (512) overflowed at 10,000 proxies and the kernel reset their connections.
        // The kernel caps this at net.core.somaxconn (4096 on Debian 12), as for istiod's Go listener.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = ListenBacklog);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var ports = kestrel.ApplicationServices.GetRequiredService<BoundPorts>();
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
            var reserve = kestrel.ApplicationServices.GetRequiredService<ReceiveBufferReserve>();
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => connection =>
                {
                    reserve.Attach(connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool);
                    return next(connection);
                });
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
