using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;

namespace ControlPlane.Mesh.Hosting;

/// <summary>What every control plane process's host starts from: its options, bound ports and logging.</summary>
public static class ControlPlaneHost
{
    public static WebApplicationBuilder CreateBuilder<TOptions>(TOptions options, string logLevel, string logFormat)
        where TOptions : class
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<BoundPorts>();
        builder.Services.AddHostedService<BoundPortsAnnouncer>();
        // Serilog writes the console; providers tests add still receive every event (writeToProviders).
        // The static Log.Logger is left alone so that several hosts in one process keep their own logs.
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog((_, logger) => ConsoleLogging.Configure(logger, logLevel, logFormat), preserveStaticLogger: true, writeToProviders: true);
        return builder;
    }
}
