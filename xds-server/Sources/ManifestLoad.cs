using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Sources;

/// <summary>What one manifest file yields: its objects, a message per skipped document, and warnings about what was kept.</summary>
public sealed record ManifestLoad(List<MeshObject> Objects, List<string> Errors, List<string> Warnings)
{
    public void Deconstruct(out List<MeshObject> objects, out List<string> errors)
    {
        objects = Objects;
        errors = Errors;
    }
}
