using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Service ports grouped by port number, in hostname order: what per-port listeners and routes are made of.</summary>
internal sealed class PortIndex
{
    public PortIndex(MeshSnapshot mesh)
    {
        var byPort = new SortedDictionary<int, List<(MeshService, MeshServicePort)>>();
        foreach (var service in mesh.Services.Values.OrderBy(s => s.Hostname, StringComparer.Ordinal))
        {
            foreach (var port in service.Ports)
            {
                if (port.Protocol == MeshProtocol.Udp)
                {
                    continue;
                }

                if (!byPort.TryGetValue(port.Port, out var list))
                {
                    byPort[port.Port] = list = new List<(MeshService, MeshServicePort)>();
                }

                list.Add((service, port));
            }
        }

        ByPort = byPort;
    }

    public IReadOnlyDictionary<int, List<(MeshService Service, MeshServicePort Port)>> ByPort { get; }
}
