using System.Text.RegularExpressions;
using ControlPlane.Mesh.Kubernetes.Istio;
using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// Reads multi-document Kubernetes YAML into KubernetesClient's typed models. Each document stands
/// alone: a broken or unknown one is reported and the others are still read. Knows Services,
/// EndpointSlices, Pods, the Istio networking kinds (networking.istio.io v1alpha3 and v1beta1) and
/// the control plane's traffic kinds (<see cref="MeshTrafficKinds"/>),
/// whose documents are read as JSON (<see cref="YamlToJson"/>) into <see cref="IstioResource"/>.
/// </summary>
public static partial class KubernetesManifestReader
{
    private static readonly Dictionary<string, Func<string, IKubernetesObject>> KnownKinds = CreateKnownKinds();

    public static IReadOnlyList<ManifestDocument> Read(string text)
    {
        var documents = new List<ManifestDocument>();
        var index = 0;
        foreach (var (body, line) in Split(text))
        {
            if (IsBlank(body))
            {
                continue;
            }

            documents.Add(ReadDocument(index++, line, body));
        }

        return documents;
    }

    private static ManifestDocument ReadDocument(int index, int line, string body)
    {
        TypeHeader header;
        try
        {
            header = KubernetesYaml.Deserialize<TypeHeader>(body);
        }
        catch (Exception e)
        {
            return new ManifestDocument(index, line, null, $"invalid YAML: {Innermost(e)}");
        }

        if (header is null || string.IsNullOrEmpty(header.ApiVersion) || string.IsNullOrEmpty(header.Kind))
        {
            return new ManifestDocument(index, line, null, "not a Kubernetes object: apiVersion and kind are required");
        }

        var typeKey = $"{header.ApiVersion}/{header.Kind}";
        if (!KnownKinds.TryGetValue(typeKey, out var deserialize))
        {
            return new ManifestDocument(index, line, null, $"unsupported kind {header.Kind} (apiVersion {header.ApiVersion})");
        }

        try
        {
            return new ManifestDocument(index, line, deserialize(body), null);
        }
        catch (Exception e)
        {
            return new ManifestDocument(index, line, null, $"invalid {header.Kind}: {Innermost(e)}");
        }
    }

    private static Dictionary<string, Func<string, IKubernetesObject>> CreateKnownKinds()
    {
        var kinds = new Dictionary<string, Func<string, IKubernetesObject>>(StringComparer.Ordinal)
        {
            ["v1/Service"] = yaml => KubernetesYaml.Deserialize<V1Service>(yaml),
            ["discovery.k8s.io/v1/EndpointSlice"] = yaml => KubernetesYaml.Deserialize<V1EndpointSlice>(yaml),
            ["v1/Pod"] = yaml => KubernetesYaml.Deserialize<V1Pod>(yaml),
        };
        foreach (var apiVersion in IstioObjectTranslator.ApiVersions)
        {
            foreach (var (kind, _) in IstioKinds.All)
            {
                kinds[$"{apiVersion}/{kind}"] = yaml => KubernetesJson.Deserialize<IstioResource>(YamlToJson.Convert(yaml)!.ToJsonString());
            }
        }

        foreach (var (kind, _) in MeshTrafficKinds.All)
        {
            kinds[$"{MeshTrafficKinds.ApiVersion}/{kind}"] = yaml => KubernetesJson.Deserialize<IstioResource>(YamlToJson.Convert(yaml)!.ToJsonString());
        }

        return kinds;
    }

    private static IEnumerable<(string Body, int Line)> Split(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var start = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i == lines.Length || Separator().IsMatch(lines[i]))
            {
                yield return (string.Join('\n', lines[start..i]), start + 1);
                start = i + 1;
            }
        }
    }

    private static bool IsBlank(string body) =>
        body.Split('\n').All(l => string.IsNullOrWhiteSpace(l) || l.TrimStart().StartsWith('#'));

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    [GeneratedRegex(@"^---\s*(#.*)?$")]
    private static partial Regex Separator();

    private sealed class TypeHeader
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }
    }
}
