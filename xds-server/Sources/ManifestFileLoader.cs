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

    /// <summary>
    /// Every document of <paramref name="text"/>. An object defined twice in the file is served from
    /// its first document, with a warning naming both, as the store does for an object defined by two files.
    /// </summary>
    public ManifestLoad Load(string text)
    {
        var objects = new List<MeshObject>();
        var errors = new List<string>();
        var warnings = new List<string>();
        var firstDefinedAt = new Dictionary<(string Kind, ObjectKey Key), string>();
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

            var at = $"document {document.Index + 1} (line {document.Line})";
            if (result.Error is not null)
            {
                errors.Add($"{at}: {result.Error}");
                continue;
            }

            var obj = result.Object!;
            if (firstDefinedAt.TryGetValue((obj.Kind, obj.Key), out var first))
            {
                warnings.Add($"{obj.Kind} {obj.Key.Namespace}/{obj.Key.Name} is defined twice in this file, by {first} and {at}; using the one from {first}");
                continue;
            }

            firstDefinedAt[(obj.Kind, obj.Key)] = at;
            objects.Add(obj);
        }

        return new ManifestLoad(objects, errors, warnings);
    }
}
