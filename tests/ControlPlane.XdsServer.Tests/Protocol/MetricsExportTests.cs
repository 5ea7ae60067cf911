using System.Diagnostics.Metrics;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>
/// /metrics exports the server's own metrics, process metrics and the .NET runtime's meter, and no
/// other System.Diagnostics.Metrics instrument: Kestrel's and ASP.NET Core's fire on every buffer
/// and stream, and listening to them cost the push CPU.
/// </summary>
public sealed class MetricsExportTests : ProtocolTestBase
{
    [Fact]
    public async Task Only_the_runtime_meter_is_exported_besides_the_servers_own_metrics()
    {
        await using var proxy = new SotwClient(Server.Channel, TestNodes.Sidecar(pod: "scraped"));
        await proxy.AckAsync(await proxy.RequestAsync(TypeUrls.Cluster));
        using var runtime = new Meter("System.Runtime");
        using var kestrel = new Meter("Microsoft.AspNetCore.Server.Kestrel");
        var exported = runtime.CreateCounter<long>("test.exported");
        var hidden = kestrel.CreateCounter<long>("test.hidden");

        // Both are counted before each scrape; the exported one shows the listener has seen both.
        var metrics = await Eventually.Until(
            () =>
            {
                exported.Add(1);
                hidden.Add(1);
                return Server.Http.GetStringAsync("/metrics");
            },
            text => text.Contains("test_exported", StringComparison.Ordinal),
            "the runtime meter's instrument to be exported");

        metrics.Should().Contain("controlplane_xds_connected_proxies").And.Contain("process_cpu_seconds_total");
        metrics.Should().NotContain("test_hidden", "only the runtime meter is exported");
    }
}
