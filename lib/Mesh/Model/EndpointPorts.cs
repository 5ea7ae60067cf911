namespace ControlPlane.Mesh.Model;

public static class EndpointPorts
{
    /// <summary>
    /// The port endpoints of a slice listen on for a service port: the slice port with the same
    /// name, as the EndpointSlice controller names them after the service's ports.
    /// </summary>
    public static int? Resolve(MeshServicePort servicePort, MeshEndpointSlice slice)
    {
        foreach (var port in slice.Ports)
        {
            if (port.Name == servicePort.Name)
            {
                return port.Port;
            }
        }

        return null;
    }
}
