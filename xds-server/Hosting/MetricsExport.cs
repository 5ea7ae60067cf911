using System.Diagnostics.Metrics;
using Prometheus;

namespace ControlPlane.XdsServer.Hosting;

/// <summary>
/// What /metrics exports besides the server's own controlplane_* metrics: process metrics, and the
/// .NET runtime's (the System.Runtime meter, read when scraped). By default prometheus-net also
/// listens to every other System.Diagnostics.Metrics instrument and to the runtime's and Kestrel's
/// EventCounters, which puts it on the push's hot path: Kestrel's memory pool counts every 4 KiB
/// block rented and returned (hundreds of thousands per second while 2,000 proxies ACK a push), and
/// Kestrel and ASP.NET Core record each HTTP/2 stream. Those listeners cost about a tenth of the
/// server's CPU in a connect storm of 2,000 proxies; an istiod operator scrapes none of them.
/// </summary>
public static class MetricsExport
{
    private static readonly Lazy<bool> Configured = new(() =>
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = IsExported);
        return true;
    });

    /// <summary>The meter whose instruments are exported.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Configures prometheus-net's default registry, once per process; call it before /metrics is first scraped (the host's build does).</summary>
    public static void Configure() => _ = Configured.Value;

    /// <summary>Whether <paramref name="instrument"/> is exported: only the .NET runtime's.</summary>
    public static bool IsExported(Instrument instrument) => instrument.Meter.Name == RuntimeMeter;
}
