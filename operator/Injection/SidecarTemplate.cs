using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Renders Istio 1.10's sidecar for a pod: the istio-init container that installs the iptables
/// redirect, the istio-proxy container (pilot-agent running Envoy, or MOSN), their volumes, labels and
/// the sidecar.istio.io/status annotation. Pure: pod and settings in, additions out.
/// </summary>
public static class SidecarTemplate
{
    private const long ProxyUid = 1337;

    public static RenderedSidecar Render(V1Pod pod, string ns, InjectionSettings settings, ProxyFlavor flavor)
    {
        var image = settings.ImageFor(flavor);
        var volumes = Volumes();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeshLabels.TlsModeLabel] = Label(pod, MeshLabels.TlsModeLabel) ?? "istio",
            [MeshLabels.CanonicalNameLabel] = WorkloadIdentity.CanonicalName(pod),
            [MeshLabels.CanonicalRevisionLabel] = WorkloadIdentity.CanonicalRevision(pod),
            [MeshLabels.RevisionLabel] = settings.Revision,
        };
        var status = new JsonObject
        {
            ["initContainers"] = new JsonArray(MeshLabels.InitContainerName),
            ["containers"] = new JsonArray(MeshLabels.ProxyContainerName),
            ["volumes"] = new JsonArray(volumes.Select(v => (JsonNode?)v.Name).ToArray()),
            ["imagePullSecrets"] = null,
        };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeshLabels.StatusAnnotation] = status.ToJsonString(),
            [MeshLabels.ProxyFlavorKey] = flavor.Name(),
        };

        return new RenderedSidecar(InitContainer(image, settings), ProxyContainer(pod, ns, image, settings, flavor), volumes, labels, annotations);
    }

    private static V1Container InitContainer(string image, InjectionSettings settings) => new()
    {
        Name = MeshLabels.InitContainerName,
        Image = image,
        Args =
        [
            "istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
            "-i", settings.IncludeOutboundIPRanges, "-x", settings.ExcludeOutboundIPRanges, "-b", "*",
            "-d", string.Join(',', new[] { 15090, 15021 }.Concat(settings.ExcludeInboundPorts)),
        ],
        Resources = settings.Resources,
        SecurityContext = new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Privileged = false,
            Capabilities = new V1Capabilities { Add = ["NET_ADMIN", "NET_RAW"], Drop = ["ALL"] },
            ReadOnlyRootFilesystem = false,
            RunAsGroup = 0,
            RunAsNonRoot = false,
            RunAsUser = 0,
        },
    };

    private static V1Container ProxyContainer(V1Pod pod, string ns, string image, InjectionSettings settings, ProxyFlavor flavor)
    {
        var workload = WorkloadIdentity.WorkloadName(pod);
        var appPorts = pod.Spec?.Containers?.SelectMany(c => c.Ports ?? []).ToList() ?? [];
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        var env = new List<V1EnvVar>
        {
            Env("JWT_POLICY", "third-party-jwt"),
            Env("PILOT_CERT_PROVIDER", "istiod"),
            Env("CA_ADDR", CaAddress(settings.DiscoveryAddress)),
            FieldRef("POD_NAME", "metadata.name"),
            FieldRef("POD_NAMESPACE", "metadata.namespace"),
            FieldRef("INSTANCE_IP", "status.podIP"),
            FieldRef("SERVICE_ACCOUNT", "spec.serviceAccountName"),
            FieldRef("HOST_IP", "status.hostIP"),
            FieldRef("CANONICAL_SERVICE", $"metadata.labels['{MeshLabels.CanonicalNameLabel}']"),
            FieldRef("CANONICAL_REVISION", $"metadata.labels['{MeshLabels.CanonicalRevisionLabel}']"),
            Env("PROXY_CONFIG", ProxyConfig(settings, flavor)),
            Env("ISTIO_META_POD_PORTS", KubernetesJson.Serialize(appPorts)),
            Env("ISTIO_META_APP_CONTAINERS", string.Join(',', pod.Spec?.Containers?.Select(c => c.Name) ?? [])),
            Env("ISTIO_META_CLUSTER_ID", "Kubernetes"),
            Env("ISTIO_META_INTERCEPTION_MODE", "REDIRECT"),
            Env("ISTIO_META_WORKLOAD_NAME", workload),
            Env("ISTIO_META_MESH_ID", "cluster.local"),
            // Becomes node metadata PROXY_FLAVOR: the xds-server shapes config for what MOSN accepts.
            Env("ISTIO_META_PROXY_FLAVOR", flavor.Name()),
            Env("TRUST_DOMAIN", "cluster.local"),
        };
        if (owner is not null)
        {
            env.Add(Env("ISTIO_META_OWNER", $"kubernetes://apis/{owner.ApiVersion}/namespaces/{ns}/{owner.Kind.ToLowerInvariant()}s/{owner.Name}"));
        }

        return new V1Container
        {
            Name = MeshLabels.ProxyContainerName,
            Image = image,
            Args =
            [
                "proxy", "sidecar",
                "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                "--serviceCluster", $"{WorkloadIdentity.CanonicalName(pod)}.$(POD_NAMESPACE)",
                $"--proxyLogLevel={settings.ProxyLogLevel}",
                "--proxyComponentLogLevel=misc:error",
                "--log_output_level=default:info",
                "--concurrency", settings.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ],
            Env = env,
            Ports = [new V1ContainerPort { ContainerPort = 15090, Name = "http-envoy-prom", Protocol = "TCP" }],
            ReadinessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = "/healthz/ready", Port = 15021 },
                InitialDelaySeconds = 1,
                PeriodSeconds = 2,
                TimeoutSeconds = 3,
                FailureThreshold = 30,
            },
            Resources = settings.Resources,
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                Privileged = false,
                ReadOnlyRootFilesystem = true,
                RunAsGroup = ProxyUid,
                RunAsNonRoot = true,
                RunAsUser = ProxyUid,
            },
            VolumeMounts =
            [
                new V1VolumeMount { Name = "istiod-ca-cert", MountPath = "/var/run/secrets/istio" },
                new V1VolumeMount { Name = "istio-data", MountPath = "/var/lib/istio/data" },
                new V1VolumeMount { Name = "istio-envoy", MountPath = "/etc/istio/proxy" },
                new V1VolumeMount { Name = "istio-token", MountPath = "/var/run/secrets/tokens" },
                new V1VolumeMount { Name = "istio-podinfo", MountPath = "/etc/istio/pod" },
            ],
        };
    }

    /// <summary>
    /// pilot-agent's mesh ProxyConfig: where to find the xds-server (plaintext, so no control plane
    /// auth) and, for MOSN, which binary to run instead of Envoy.
    /// </summary>
    private static string ProxyConfig(InjectionSettings settings, ProxyFlavor flavor)
    {
        var config = new JsonObject
        {
            ["discoveryAddress"] = settings.DiscoveryAddress,
            ["controlPlaneAuthPolicy"] = "NONE",
            ["concurrency"] = settings.Concurrency,
        };
        if (flavor == ProxyFlavor.Mosn)
        {
            config["binaryPath"] = "/usr/local/bin/mosn";
        }

        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Istio's CA listens on 15012 of the discovery host.</summary>
    private static string CaAddress(string discoveryAddress)
    {
        var colon = discoveryAddress.LastIndexOf(':');
        return (colon > 0 ? discoveryAddress[..colon] : discoveryAddress) + ":15012";
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

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    private static V1EnvVar FieldRef(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = path } } };

    private static string? Label(V1Pod pod, string key) => pod.Metadata?.Labels?.TryGetValue(key, out var value) == true ? value : null;
}
