using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>The two containers of Istio 1.10's sidecar template, shaped by the pod's <see cref="SidecarOptions"/>.</summary>
public static class SidecarContainers
{
    private const long ProxyUid = 1337;

    /// <summary>JSON in environment variables, read by pilot-agent: quotes stay readable.</summary>
    private static readonly JsonSerializerOptions EnvJson = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>istio-init: istio-iptables with the pod's traffic capture, as root with NET_ADMIN and NET_RAW.</summary>
    public static V1Container Init(SidecarOptions options)
    {
        var args = new List<string>
        {
            "istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", options.InterceptionMode,
            "-i", options.IncludeOutboundIPRanges, "-x", options.ExcludeOutboundIPRanges, "-b", options.IncludeInboundPorts,
            "-d", options.ExcludeInboundPorts.Length > 0 ? "15090,15021," + options.ExcludeInboundPorts : "15090,15021",
        };
        if (options.IncludeOutboundPorts is { } includeOutbound)
        {
            args.AddRange(["-q", includeOutbound]);
        }

        if (options.ExcludeOutboundPorts is { } excludeOutbound)
        {
            args.AddRange(["-o", excludeOutbound]);
        }

        if (options.KubevirtInterfaces is { } interfaces)
        {
            args.AddRange(["-k", interfaces]);
        }

        return new V1Container
        {
            Name = MeshLabels.InitContainerName,
            Image = options.Image,
            Args = args,
            Env = options.ProxyMetadata.Count > 0 ? ProxyMetadata(options) : null,
            Resources = options.Resources,
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
    }

    /// <summary>istio-proxy: pilot-agent pointed at the xds-server, running Envoy or MOSN.</summary>
    /// <param name="extraEnv">Appended last (merged metrics, app probers), as Istio adds them after its template.</param>
    public static V1Container Proxy(V1Pod pod, string ns, InjectionSettings settings, SidecarOptions options, IEnumerable<V1EnvVar> extraEnv)
    {
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
            Env("PROXY_CONFIG", options.ProxyConfig.ToJsonString(EnvJson)),
            Env("ISTIO_META_POD_PORTS", KubernetesJson.Serialize(pod.Spec?.Containers?.SelectMany(c => c.Ports ?? []).ToList() ?? [])),
            Env("ISTIO_META_APP_CONTAINERS", string.Join(',', pod.Spec?.Containers?.Select(c => c.Name) ?? [])),
            Env("ISTIO_META_CLUSTER_ID", "Kubernetes"),
            Env("ISTIO_META_INTERCEPTION_MODE", options.InterceptionMode),
        };
        if (pod.Metadata?.Annotations is { Count: > 0 } annotations)
        {
            // Node metadata, as Istio's template passes it: pilot-agent reads the stats annotations from here.
            env.Add(Env("ISTIO_METAJSON_ANNOTATIONS", new JsonObject(annotations.OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))).ToJsonString(EnvJson)));
        }

        env.AddRange(
        [
            Env("ISTIO_META_WORKLOAD_NAME", WorkloadIdentity.WorkloadName(pod)),
            Env("ISTIO_META_MESH_ID", "cluster.local"),
            // Becomes node metadata PROXY_FLAVOR: the xds-server shapes config for what MOSN accepts.
            Env("ISTIO_META_PROXY_FLAVOR", options.Flavor.Name()),
            Env("TRUST_DOMAIN", "cluster.local"),
        ]);
        if (owner is not null)
        {
            env.Add(Env("ISTIO_META_OWNER", $"kubernetes://apis/{owner.ApiVersion}/namespaces/{ns}/{owner.Kind.ToLowerInvariant()}s/{owner.Name}"));
        }

        if (options.BootstrapOverride is not null)
        {
            env.Add(Env("ISTIO_BOOTSTRAP_OVERRIDE", "/etc/istio/custom-bootstrap/custom_bootstrap.json"));
        }

        env.AddRange(ProxyMetadata(options));
        env.AddRange(extraEnv);

        var args = new List<string>
        {
            "proxy", "sidecar",
            "--domain", "$(POD_NAMESPACE).svc.cluster.local",
            "--serviceCluster", $"{WorkloadIdentity.CanonicalName(pod)}.$(POD_NAMESPACE)",
            $"--proxyLogLevel={options.ProxyLogLevel}",
            $"--proxyComponentLogLevel={options.ComponentLogLevel}",
            $"--log_output_level={options.AgentLogLevel}",
        };
        if (options.Concurrency > 0)
        {
            // 0: pilot-agent sizes Envoy's workers from the CPU limit, as when Istio leaves the flag out.
            args.AddRange(["--concurrency", options.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        return new V1Container
        {
            Name = MeshLabels.ProxyContainerName,
            Image = options.Image,
            Args = args,
            Env = env,
            Lifecycle = options.HoldApplicationUntilProxyStarts
                ? new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["pilot-agent", "wait"] } } }
                : null,
            Ports = [new V1ContainerPort { ContainerPort = 15090, Name = "http-envoy-prom", Protocol = "TCP" }],
            ReadinessProbe = options.StatusPort == 0 ? null : new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = "/healthz/ready", Port = 15021 },
                InitialDelaySeconds = options.ReadinessInitialDelaySeconds,
                PeriodSeconds = options.ReadinessPeriodSeconds,
                TimeoutSeconds = 3,
                FailureThreshold = options.ReadinessFailureThreshold,
            },
            Resources = options.Resources,
            SecurityContext = ProxySecurityContext(options),
            VolumeMounts = ProxyMounts(options),
        };
    }

    /// <summary>TPROXY needs NET_ADMIN in the proxy, binding ports below 1024 NET_BIND_SERVICE; either runs it as root.</summary>
    private static V1SecurityContext ProxySecurityContext(SidecarOptions options)
    {
        var tproxy = options.InterceptionMode == "TPROXY";
        var added = new List<string>();
        if (tproxy)
        {
            added.Add("NET_ADMIN");
        }

        if (options.CapNetBindService)
        {
            added.Add("NET_BIND_SERVICE");
        }

        return new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Add = added.Count > 0 ? added : null, Drop = ["ALL"] },
            Privileged = false,
            ReadOnlyRootFilesystem = true,
            RunAsGroup = ProxyUid,
            RunAsNonRoot = added.Count == 0,
            RunAsUser = added.Count == 0 ? ProxyUid : 0,
        };
    }

    private static List<V1VolumeMount> ProxyMounts(SidecarOptions options)
    {
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "istiod-ca-cert", MountPath = "/var/run/secrets/istio" },
            new() { Name = "istio-data", MountPath = "/var/lib/istio/data" },
        };
        if (options.BootstrapOverride is not null)
        {
            mounts.Add(new V1VolumeMount { Name = SidecarOptions.BootstrapVolumeName, MountPath = "/etc/istio/custom-bootstrap" });
        }

        mounts.AddRange(
        [
            new() { Name = "istio-envoy", MountPath = "/etc/istio/proxy" },
            new() { Name = "istio-token", MountPath = "/var/run/secrets/tokens" },
            new() { Name = "istio-podinfo", MountPath = "/etc/istio/pod" },
        ]);
        mounts.AddRange(options.UserVolumeMounts);
        return mounts;
    }

    /// <summary>proxy.istio.io/config proxyMetadata as environment variables, sorted as Istio's template ranges over them.</summary>
    private static List<V1EnvVar> ProxyMetadata(SidecarOptions options) =>
        options.ProxyMetadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => Env(m.Key, m.Value)).ToList();

    /// <summary>Istio's CA listens on 15012 of the discovery host.</summary>
    private static string CaAddress(string discoveryAddress)
    {
        var colon = discoveryAddress.LastIndexOf(':');
        return (colon > 0 ? discoveryAddress[..colon] : discoveryAddress) + ":15012";
    }

    public static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    private static V1EnvVar FieldRef(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = path } } };
}
