using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Sources;

/// <summary>Reads one manifest file into mesh objects, collecting a message for everything it skips.</summary>
public sealed class ManifestFileLoader
{
    private readonly MeshObjectTranslator _translator;

    public ManifestFileLoader(MeshObjectTranslator translator)
    {
        _translator = translator;
    }

    public (List<MeshObject> Objects, List<string> Errors) Load(string text)
    {
        var objects = new List<MeshObject>();
        var errors = new List<string>();
        foreach (var document in KubernetesManifestReader.Read(text))
        {
            if (document.Error is not null)
            {
                errors.Add($"{document.Describe()}: {document.Error}");
                continue;
            }

            TranslationResult result;
            try
            {
                result = _translator.Translate(document.Object!);
            }
            catch (Exception e)
            {
                // A translator bug must cost one object, not the file or the process.
                result = TranslationResult.Invalid($"{document.Describe()}: could not be translated: {e.Message}");
            }

            if (result.Error is not null)
            {
                errors.Add($"document {document.Index + 1} (line {document.Line}): {result.Error}");
                continue;
            }

            objects.Add(result.Object!);
        }

        return (objects, errors);
    }
}
