using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation;

/// <summary>The ports of a scope's services grouped by port number, in scope order: what per-port listeners and routes are made of.</summary>
internal sealed class PortIndex
{
    public PortIndex(IEnumerable<HostService> services)
    {
        var byPort = new SortedDictionary<int, List<(HostService, MeshServicePort)>>();
        foreach (var service in services)
        {
            foreach (var port in service.Ports)
            {
                if (port.Protocol == MeshProtocol.Udp)
                {
                    continue;
                }

                if (!byPort.TryGetValue(port.Port, out var list))
                {
                    byPort[port.Port] = list = new List<(HostService, MeshServicePort)>();
                }

                list.Add((service, port));
            }
        }

        ByPort = byPort;
    }

    public IReadOnlyDictionary<int, List<(HostService Service, MeshServicePort Port)>> ByPort { get; }
}
