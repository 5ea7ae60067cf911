using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// A ServiceEntry's services, as istiod 1.10's serviceentry <c>convertServices</c> makes them: one
/// per host and address (one per host when it has no addresses), each with all of the entry's ports,
/// its resolution (NONE: passthrough, STATIC: EDS, DNS: DNS), its location and exportTo. The same
/// instances are handed out while the entry is the same instance.
/// </summary>
public static class ServiceEntryHosts
{
    private static readonly ConditionalWeakTable<MeshServiceEntry, Converted> Cache = new();

    public static ImmutableArray<HostService> Of(MeshServiceEntry entry) => Cache.GetValue(entry, e => new Converted(Convert(e))).Services;

    private static ImmutableArray<HostService> Convert(MeshServiceEntry entry)
    {
        var spec = entry.Spec;
        var ports = spec.Ports.Select(ToServicePort).ToImmutableArray();
        var resolution = spec.Resolution switch
        {
            ServiceEntryResolution.Static => MeshResolution.ClientSideLb,
            ServiceEntryResolution.Dns => MeshResolution.DnsLb,
            _ => MeshResolution.Passthrough,
        };

        var services = ImmutableArray.CreateBuilder<HostService>();
        foreach (var host in spec.Hosts)
        {
            var addresses = spec.Addresses.IsEmpty ? [null] : spec.Addresses.Select(Address).Where(a => a is not null).ToList();
            foreach (var address in addresses)
            {
                services.Add(new HostService(host, entry.Key.Namespace, null, entry, spec.ExportTo)
                {
                    Name = host,
                    Address = address,
                    Ports = ports,
                    Resolution = resolution,
                    MeshExternal = spec.Location == ServiceEntryLocation.MeshExternal,
                });
            }
        }

        return services.ToImmutable();
    }

    /// <summary>An IP as is; a CIDR as written, unless it covers one address (/32, /128), which becomes that IP; anything else none.</summary>
    private static string? Address(string address)
    {
        if (IPAddress.TryParse(address, out _) && !address.Contains('/', StringComparison.Ordinal))
        {
            return address;
        }

        var slash = address.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(address[..slash], out var ip) ||
            !int.TryParse(address[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }

        var bits = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        return prefix == bits ? ip.ToString() : address;
    }

    /// <summary>A ServiceEntry port: its protocol named outright (Istio's protocol.Parse), its targetPort kept as a number when set.</summary>
    private static MeshServicePort ToServicePort(Port port) => new(
        port.Name,
        (int)port.Number,
        port.TargetPort > 0 ? port.TargetPort.ToString(CultureInfo.InvariantCulture) : null,
        MeshProtocols.Parse(port.Protocol));

    private sealed record Converted(ImmutableArray<HostService> Services);
}
