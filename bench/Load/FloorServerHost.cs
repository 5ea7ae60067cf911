using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The floor server as a process of its own (<c>floor-server</c> mode of this program): Kestrel and
/// Grpc.AspNetCore on a loopback port, announced on stdout as the xds-server announces its ports;
/// commands on stdin: <c>push ID CDS EDS LDS RDS</c> (sizes in bytes, 0 skips the type).
/// </summary>
internal static class FloorServerHost
{
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        var floor = new FloorService();
        builder.Services.AddSingleton(floor);
        var app = builder.Build();
        app.MapGrpcService<FloorService>();
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Console.WriteLine($$"""{"@mt":"Listening for {Endpoint} on port {Port}","Endpoint":"grpc","Port":{{port}}}""");

        while (await Console.In.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["push", var id, .. var sizes] && sizes.Length == XdsTypes.Count)
            {
                var version = FloorMessages.VersionOf(int.Parse(id, CultureInfo.InvariantCulture));
                var bytes = sizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                var types = Enumerable.Range(0, XdsTypes.Count).Where(t => bytes[t] > 0).Select(t => (XdsType)t).ToList();
                floor.Push(
                    types.Select(t => FloorMessages.Sotw(t, version, bytes[(int)t])).ToList(),
                    types.Select(t => FloorMessages.Delta(t, version, bytes[(int)t])).ToList());
            }
            else if (words is ["streams"])
            {
                Console.WriteLine($$"""{"Streams":{{floor.Streams}}}""");
            }
        }

        await app.StopAsync();
        return 0;
    }
}
