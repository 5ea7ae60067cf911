using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ControlPlane.Mesh.Hosting;

/// <summary>The structured console logging both processes use: text for people, JSON lines for collectors.</summary>
public static class ConsoleLogging
{
    public static LoggerConfiguration Configure(LoggerConfiguration logger, string level, string format)
    {
        logger.MinimumLevel.Is(Enum.TryParse<LogEventLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            // A port that cannot be bound is reported once, in one line, by ControlPlaneHost.RunAsync.
            .Filter.ByExcluding(e => BindFailure.Is(e.Exception));
        return format == "json"
            ? logger.WriteTo.Console(new CompactJsonFormatter())
            : logger.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}");
    }
}
