namespace ControlPlane.Mesh.Model;

/// <param name="TargetPort">The pod port, as a number or a container port name; null means "same as Port".</param>
public sealed record MeshServicePort(string Name, int Port, string? TargetPort, MeshProtocol Protocol);
