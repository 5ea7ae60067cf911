using System.Text.Json.Nodes;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Renders Istio 1.10's sidecar for a pod: the istio-init container that installs the iptables
/// redirect, the istio-proxy container (pilot-agent running Envoy, or MOSN), their volumes, labels and
/// annotations (sidecar.istio.io/status, merged metrics), and the app's HTTP probes pointed at
/// pilot-agent. Pure: pod, settings and the pod's <see cref="SidecarOptions"/> in, additions out.
/// </summary>
public static class SidecarTemplate
{
    /// <summary>Volumes every sidecar adds; a user volume may not take their names.</summary>
    public static readonly IReadOnlySet<string> InjectedVolumeNames = Volumes().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

    /// <param name="problems">Receives warnings (probes that cannot be rewritten).</param>
    public static RenderedSidecar Render(V1Pod pod, string ns, InjectionSettings settings, SidecarOptions options, AnnotationProblems problems)
    {
        var volumes = new List<V1Volume>();
        if (options.BootstrapOverride is { } bootstrap)
        {
            volumes.Add(new V1Volume { Name = SidecarOptions.BootstrapVolumeName, ConfigMap = new V1ConfigMapVolumeSource { Name = bootstrap } });
        }

        volumes.AddRange(Volumes());
        volumes.AddRange(options.UserVolumes);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeshLabels.TlsModeLabel] = Label(pod, MeshLabels.TlsModeLabel) ?? "istio",
            [MeshLabels.CanonicalNameLabel] = WorkloadIdentity.CanonicalName(pod),
            [MeshLabels.CanonicalRevisionLabel] = WorkloadIdentity.CanonicalRevision(pod),
            [MeshLabels.RevisionLabel] = settings.Revision,
        };
        var initContainer = options.InterceptionMode == "NONE" ? null : SidecarContainers.Init(options);
        var status = new JsonObject
        {
            ["initContainers"] = initContainer is null ? null : new JsonArray(MeshLabels.InitContainerName),
            ["containers"] = new JsonArray(MeshLabels.ProxyContainerName),
            ["volumes"] = new JsonArray(volumes.Select(v => (JsonNode?)v.Name).ToArray()),
            ["imagePullSecrets"] = null,
        };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeshLabels.StatusAnnotation] = status.ToJsonString(),
            [MeshLabels.ProxyFlavorKey] = options.Flavor.Name(),
        };
        var appContainers = pod.Spec?.Containers?.Where(c => c.Name != MeshLabels.ProxyContainerName).ToList() ?? [];
        if (appContainers.Count == 1)
        {
            // kubectl logs and exec pick the app, not the proxy.
            annotations["kubectl.kubernetes.io/default-logs-container"] = appContainers[0].Name;
            annotations["kubectl.kubernetes.io/default-container"] = appContainers[0].Name;
        }

        var extraEnv = new List<V1EnvVar>();
        if (options.MergePrometheusMetrics && options.StatusPort != 0 && PrometheusMerge.Apply(pod.Metadata?.Annotations, options.StatusPort) is var (merged, original))
        {
            foreach (var (key, value) in merged)
            {
                annotations[key] = value;
            }

            if (original is not null)
            {
                extraEnv.Add(SidecarContainers.Env(PrometheusMerge.ScrapeEnv, original));
            }
        }

        IReadOnlyList<RewrittenProbes> appProbes = [];
        if (options.RewriteAppProbes && options.StatusPort != 0)
        {
            (appProbes, var probers) = AppProbeRewriter.Rewrite(pod, options.StatusPort, problems);
            if (probers is not null)
            {
                extraEnv.Add(SidecarContainers.Env(AppProbeRewriter.ProbersEnv, probers));
            }
        }

        return new RenderedSidecar(
            initContainer,
            SidecarContainers.Proxy(pod, ns, settings, options, extraEnv),
            options.HoldApplicationUntilProxyStarts,
            volumes,
            appProbes,
            labels,
            annotations);
    }

    private static List<V1Volume> Volumes() =>
    [
        new V1Volume { Name = "istio-envoy", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory" } },
        new V1Volume { Name = "istio-data", EmptyDir = new V1EmptyDirVolumeSource() },
        new V1Volume
        {
            Name = "istio-podinfo",
            DownwardAPI = new V1DownwardAPIVolumeSource
            {
                Items =
                [
                    new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
                    new V1DownwardAPIVolumeFile { Path = "annotations", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.annotations" } },

                    // Without --concurrency, pilot-agent sizes Envoy's workers from these (in millicores).
                    new V1DownwardAPIVolumeFile
                    {
                        Path = "cpu-limit",
                        ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = MeshLabels.ProxyContainerName, Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") },
                    },
                    new V1DownwardAPIVolumeFile
                    {
                        Path = "cpu-request",
                        ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = MeshLabels.ProxyContainerName, Resource = "requests.cpu", Divisor = new ResourceQuantity("1m") },
                    },
                ],
            },
        },
        new V1Volume
        {
            Name = "istio-token",
            Projected = new V1ProjectedVolumeSource
            {
                Sources =
                [
                    new V1VolumeProjection
                    {
                        ServiceAccountToken = new V1ServiceAccountTokenProjection { Audience = "istio-ca", ExpirationSeconds = 43200, Path = "istio-token" },
                    },
                ],
            },
        },
        new V1Volume { Name = "istiod-ca-cert", ConfigMap = new V1ConfigMapVolumeSource { Name = "istio-ca-root-cert" } },
    ];

    private static string? Label(V1Pod pod, string key) => pod.Metadata?.Labels?.TryGetValue(key, out var value) == true ? value : null;
}
