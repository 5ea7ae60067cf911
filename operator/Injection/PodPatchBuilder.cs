using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>Turns a rendered sidecar into the RFC 6902 JSON patch an admission response carries.</summary>
public static class PodPatchBuilder
{
    public static JsonArray Build(V1Pod pod, RenderedSidecar sidecar)
    {
        var patch = new JsonArray();

        // Probes first, while container indexes are still the pod's own.
        foreach (var probes in sidecar.AppProbes)
        {
            foreach (var (field, probe) in new[] { ("readinessProbe", probes.Readiness), ("livenessProbe", probes.Liveness), ("startupProbe", probes.Startup) })
            {
                if (probe is not null)
                {
                    patch.Add(Op("replace", $"/spec/containers/{probes.ContainerIndex}/{field}", JsonNode.Parse(KubernetesJson.Serialize(probe))));
                }
            }
        }

        if (sidecar.InitContainer is { } init)
        {
            // Last, as in Istio: other init containers still run before traffic is redirected.
            AppendToList(patch, "/spec/initContainers", pod.Spec?.InitContainers?.Count ?? 0, [init]);
        }

        var containers = pod.Spec?.Containers?.Count ?? 0;
        if (sidecar.ProxyFirst && containers > 0)
        {
            // holdApplicationUntilProxyStarts: kubelet starts containers in order and waits for the proxy's postStart.
            patch.Add(Op("add", "/spec/containers/0", JsonNode.Parse(KubernetesJson.Serialize(sidecar.ProxyContainer))));
        }
        else
        {
            AppendToList(patch, "/spec/containers", containers, [sidecar.ProxyContainer]);
        }

        AppendToList(patch, "/spec/volumes", pod.Spec?.Volumes?.Count ?? 0, sidecar.Volumes.Where(v => pod.Spec?.Volumes?.Any(e => e.Name == v.Name) != true).ToList());
        if (pod.Spec?.SecurityContext?.FsGroup is null)
        {
            // The proxy runs as 1337 and must read the projected token.
            if (pod.Spec?.SecurityContext is null)
            {
                patch.Add(Op("add", "/spec/securityContext", new JsonObject { ["fsGroup"] = 1337 }));
            }
            else
            {
                patch.Add(Op("add", "/spec/securityContext/fsGroup", 1337));
            }
        }

        SetEntries(patch, "/metadata/labels", pod.Metadata?.Labels, sidecar.Labels);
        SetEntries(patch, "/metadata/annotations", pod.Metadata?.Annotations, sidecar.Annotations);
        return patch;
    }

    private static void AppendToList<T>(JsonArray patch, string path, int existing, IReadOnlyList<T> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        if (existing == 0)
        {
            patch.Add(Op("add", path, JsonNode.Parse(KubernetesJson.Serialize(items))));
            return;
        }

        foreach (var item in items)
        {
            patch.Add(Op("add", path + "/-", JsonNode.Parse(KubernetesJson.Serialize(item))));
        }
    }

    private static void SetEntries(JsonArray patch, string path, IDictionary<string, string>? existing, IReadOnlyDictionary<string, string> entries)
    {
        if (existing is null || existing.Count == 0)
        {
            var all = new JsonObject();
            foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                all[key] = value;
            }

            patch.Add(Op("add", path, all));
            return;
        }

        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (existing.TryGetValue(key, out var current) && current == value)
            {
                continue;
            }

            patch.Add(Op(existing.ContainsKey(key) ? "replace" : "add", $"{path}/{Escape(key)}", value));
        }
    }

    private static JsonObject Op(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };

    /// <summary>RFC 6901: '~' and '/' in a key are escaped.</summary>
    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
