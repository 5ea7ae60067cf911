using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Istio 1.10's rewrite of application HTTP probes (on unless sidecar.istio.io/rewriteAppHTTPProbers
/// is false): each container's httpGet readiness, liveness and startup probe is pointed at pilot-agent's
/// status port, path <c>/app-health/CONTAINER/readyz|livez|startupz</c>, and pilot-agent gets the
/// originals in ISTIO_KUBE_APP_PROBERS and probes the app itself. So kubelet's probes work under
/// mutual TLS and do not depend on the proxy having its config. HTTPS probes become HTTP to the agent,
/// which keeps HTTPS to the app; a named port is resolved to the container's port number.
/// </summary>
public static class AppProbeRewriter
{
    public const string ProbersEnv = "ISTIO_KUBE_APP_PROBERS";

    /// <returns>The rewritten probes per container, and ISTIO_KUBE_APP_PROBERS (null when nothing was rewritten).</returns>
    public static (IReadOnlyList<RewrittenProbes> Probes, string? Probers) Rewrite(V1Pod pod, int statusPort, AnnotationProblems problems)
    {
        var rewritten = new List<RewrittenProbes>();
        var probers = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var containers = pod.Spec?.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            if (container.Name == MeshLabels.ProxyContainerName)
            {
                continue;
            }

            V1Probe? One(V1Probe? probe, string kind) => RewriteOne(container, probe, kind, statusPort, probers, problems);
            var probes = new RewrittenProbes(i, One(container.ReadinessProbe, "readyz"), One(container.LivenessProbe, "livez"), One(container.StartupProbe, "startupz"));
            if (probes.Readiness is not null || probes.Liveness is not null || probes.Startup is not null)
            {
                rewritten.Add(probes);
            }
        }

        return (rewritten, probers.Count == 0 ? null : new JsonObject(probers.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))).ToJsonString());
    }

    private static V1Probe? RewriteOne(V1Container container, V1Probe? probe, string kind, int statusPort, SortedDictionary<string, JsonNode> probers, AnnotationProblems problems)
    {
        if (probe?.HttpGet?.Port?.Value is not { } portValue)
        {
            return null;
        }

        int port;
        if (!int.TryParse(portValue, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            var named = container.Ports?.FirstOrDefault(p => p.Name == portValue);
            if (named is null)
            {
                problems.Warn(
                    $"container {AnnotationValues.Shown(container.Name)}",
                    $"its {kind} probe names port '{AnnotationValues.Shown(portValue)}', which the container does not declare, so the probe is not rewritten");
                return null;
            }

            port = named.ContainerPort;
        }

        if (port == statusPort)
        {
            // Already the agent's: a probe the pod points there itself stays as it is.
            return null;
        }

        var path = $"/app-health/{container.Name}/{kind}";
        var original = Copy(probe.HttpGet);
        original.Port = port;
        var prober = new JsonObject { ["httpGet"] = JsonNode.Parse(KubernetesJson.Serialize(original)) };
        if (probe.TimeoutSeconds is > 0)
        {
            prober["timeoutSeconds"] = probe.TimeoutSeconds;
        }

        probers[path] = prober;

        var pointed = Copy(probe);
        pointed.HttpGet.Port = statusPort;
        pointed.HttpGet.Path = path;
        if (string.Equals(pointed.HttpGet.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase))
        {
            pointed.HttpGet.Scheme = "HTTP";
        }

        return pointed;
    }

    private static T Copy<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));
}
