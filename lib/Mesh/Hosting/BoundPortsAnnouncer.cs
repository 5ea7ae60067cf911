using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Mesh.Hosting;

/// <summary>
/// Once the server listens, logs one event per endpoint with its real port and releases whoever waits
/// for the ports (ports given as 0 are chosen by the OS, and tools that start these processes read them here).
/// </summary>
internal sealed class BoundPortsAnnouncer(BoundPorts ports, IHostApplicationLifetime lifetime, ILogger<BoundPortsAnnouncer> logger) : IHostedService
{
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var (name, port) in ports.All())
            {
                logger.LogInformation("Listening for {Endpoint} on port {Port}", name, port);
            }

            ports.MarkBound();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }
}
