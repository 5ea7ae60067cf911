using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// sidecar.istio.io/userVolume and userVolumeMount: as Istio 1.10's template reads them, a JSON object
/// from volume name to the volume (or the mount) without its name, e.g.
/// <c>{"certs":{"secret":{"secretName":"my-certs"}}}</c> and <c>{"certs":{"mountPath":"/etc/certs","readOnly":true}}</c>.
/// The volumes are added to the pod, the mounts to istio-proxy.
/// </summary>
public static class UserVolumeAnnotations
{
    /// <param name="taken">Volume names already in the pod or added by injection.</param>
    public static IReadOnlyList<V1Volume> Volumes(string value, IReadOnlySet<string> taken, AnnotationProblems problems) =>
        Read<V1Volume>(value, SidecarAnnotations.UserVolume, problems, (name, entry) =>
        {
            if (taken.Contains(name))
            {
                return (null, $"volume {name} is already in the pod or added by injection");
            }

            entry["name"] = name;
            return (KubernetesJson.Deserialize<V1Volume>(entry.ToJsonString()), null);
        });

    public static IReadOnlyList<V1VolumeMount> Mounts(string value, AnnotationProblems problems) =>
        Read<V1VolumeMount>(value, SidecarAnnotations.UserVolumeMount, problems, (name, entry) =>
        {
            entry["name"] = name;
            var mount = KubernetesJson.Deserialize<V1VolumeMount>(entry.ToJsonString());
            return string.IsNullOrEmpty(mount.MountPath) ? (null, $"mount {name} has no mountPath") : (mount, null);
        });

    private static List<T> Read<T>(string value, string key, AnnotationProblems problems, Func<string, JsonObject, (T? Item, string? Problem)> item)
        where T : class
    {
        var items = new List<T>();
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(value);
        }
        catch (JsonException e)
        {
            problems.Invalid(key, value, $"not JSON ({e.Message})");
            return items;
        }

        if (document is not JsonObject entries)
        {
            problems.Invalid(key, value, "expected a JSON object from volume name to its definition, as Istio 1.10 reads it");
            return items;
        }

        foreach (var (name, entry) in entries)
        {
            if (!AnnotationValues.IsDnsLabel(name))
            {
                problems.Invalid(key, value, $"'{AnnotationValues.Shown(name)}' is not a volume name (a DNS-1123 label)");
                continue;
            }

            if (entry is not JsonObject definition)
            {
                problems.Invalid(key, value, $"{name} is not a JSON object");
                continue;
            }

            try
            {
                var (result, problem) = item(name, (JsonObject)definition.DeepClone());
                if (problem is not null)
                {
                    problems.Invalid(key, value, problem);
                }
                else
                {
                    items.Add(result!);
                }
            }
            catch (JsonException e)
            {
                problems.Invalid(key, value, $"{name}: {e.Message}");
            }
        }

        return items;
    }
}
