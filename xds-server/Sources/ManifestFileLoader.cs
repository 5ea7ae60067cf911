using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Reads one manifest file into mesh objects, collecting a message for everything it skips. What a
/// valid object carries that is ignored (e.g. Istio fields the CRD schema does not know) is logged
/// here as a warning naming the object and field.
/// </summary>
public sealed class ManifestFileLoader
{
    private readonly MeshObjectTranslator _translator;
    private readonly ILogger _logger;

    public ManifestFileLoader(MeshObjectTranslator translator, ILogger<ManifestFileLoader>? logger = null)
    {
        _translator = translator;
        _logger = logger ?? (ILogger)NullLogger.Instance;
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

            foreach (var warning in result.WarningsOrEmpty)
            {
                _logger.LogWarning("Config document {Document} (line {Line}): {Warning}", document.Index + 1, document.Line, warning);
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
