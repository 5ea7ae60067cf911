using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;

namespace ControlPlane.Mesh.Hosting;

/// <summary>What every control plane process's host starts from: its options, bound ports and logging.</summary>
public static partial class ControlPlaneHost
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

    /// <summary>
    /// Runs <paramref name="app"/> until it is stopped and returns the process exit code: 0, or 1
    /// when a port cannot be bound, which is logged as one line naming the endpoint, the address and
    /// the option in <paramref name="portOptions"/> (endpoint name → option, e.g. "grpc" → "--grpc-port")
    /// that changes it, instead of the host's stack traces.
    /// </summary>
    public static async Task<int> RunAsync(WebApplication app, IReadOnlyDictionary<string, string> portOptions, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (BindFailure.Find(e) is { } cause)
        {
            var (endpoint, address) = FailedEndpoint(app, e);
            var option = endpoint is not null && portOptions.TryGetValue(endpoint, out var name) ? name : string.Join(" or ", portOptions.Values);
            var reason = cause is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                ? "the port is already in use" : cause.Message;
            // Stopping (rather than only disposing) tells the host its background services end on
            // purpose; stopping first also lets what they were logging (a config source's first read)
            // come out before the one line that says why the process exits.
            await app.StopAsync(CancellationToken.None);
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ControlPlaneHost).FullName!).LogCritical(
                "Cannot listen for {Endpoint} on {Address}: {Reason}; choose another port with {Option}",
                endpoint ?? "an endpoint", address, reason, option);
            await app.DisposeAsync();
            return 1;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>Which recorded endpoint the bind failure is about, from the address Kestrel names in its message.</summary>
    private static (string? Endpoint, string Address) FailedEndpoint(WebApplication app, Exception e)
    {
        var match = BindAddress().Match(e.Message);
        var address = match.Success ? match.Groups["host"].Value + ":" + match.Groups["port"].Value : "its address";
        if (!match.Success)
        {
            return (null, address);
        }

        var port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var endpoint = app.Services.GetRequiredService<BoundPorts>().All().FirstOrDefault(pair => pair.Value == port).Key;
        return (endpoint, address);
    }

    [GeneratedRegex(@"://(?<host>\[[^\]]+\]|[^:/\s]+):(?<port>\d+)")]
    private static partial Regex BindAddress();
}
