namespace ControlPlane.Operator.Injection;

/// <summary>
/// The pod annotations Istio 1.10 reads at injection (istio.io/api's annotation list for Pods, plus the
/// few its injection template and webhook read without listing them). How each is treated is in
/// <see cref="SidecarOptions.FromPod"/>: honoured as istiod 1.10 does, refused when the value is
/// invalid, or, when it has no effect, let through with a warning.
/// </summary>
public static class SidecarAnnotations
{
    public const string Inject = MeshLabels.InjectAnnotation;
    public const string Status = MeshLabels.StatusAnnotation;
    public const string RewriteAppHttpProbers = "sidecar.istio.io/rewriteAppHTTPProbers";
    public const string ProxyImage = "sidecar.istio.io/proxyImage";
    public const string ProxyCpu = "sidecar.istio.io/proxyCPU";
    public const string ProxyCpuLimit = "sidecar.istio.io/proxyCPULimit";
    public const string ProxyMemory = "sidecar.istio.io/proxyMemory";
    public const string ProxyMemoryLimit = "sidecar.istio.io/proxyMemoryLimit";
    public const string InterceptionMode = "sidecar.istio.io/interceptionMode";
    public const string BootstrapOverride = "sidecar.istio.io/bootstrapOverride";
    public const string UserVolume = "sidecar.istio.io/userVolume";
    public const string UserVolumeMount = "sidecar.istio.io/userVolumeMount";
    public const string EnableCoreDump = "sidecar.istio.io/enableCoreDump";
    public const string StatusPort = "status.sidecar.istio.io/port";
    public const string LogLevel = "sidecar.istio.io/logLevel";
    public const string ComponentLogLevel = "sidecar.istio.io/componentLogLevel";
    public const string AgentLogLevel = "sidecar.istio.io/agentLogLevel";
    public const string ReadinessInitialDelaySeconds = "readiness.status.sidecar.istio.io/initialDelaySeconds";
    public const string ReadinessPeriodSeconds = "readiness.status.sidecar.istio.io/periodSeconds";
    public const string ReadinessFailureThreshold = "readiness.status.sidecar.istio.io/failureThreshold";
    public const string ReadinessApplicationPorts = "readiness.status.sidecar.istio.io/applicationPorts";
    public const string IncludeOutboundIPRanges = "traffic.sidecar.istio.io/includeOutboundIPRanges";
    public const string ExcludeOutboundIPRanges = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
    public const string IncludeInboundPorts = "traffic.sidecar.istio.io/includeInboundPorts";
    public const string ExcludeInboundPorts = "traffic.sidecar.istio.io/excludeInboundPorts";
    public const string IncludeOutboundPorts = "traffic.sidecar.istio.io/includeOutboundPorts";
    public const string ExcludeOutboundPorts = "traffic.sidecar.istio.io/excludeOutboundPorts";
    public const string KubevirtInterfaces = "traffic.sidecar.istio.io/kubevirtInterfaces";
    public const string ProxyConfig = "proxy.istio.io/config";
    public const string PrometheusMergeMetrics = "prometheus.istio.io/merge-metrics";

    /// <summary>Deprecated: pilot-agent still reads it from the pod's annotations.</summary>
    public const string DiscoveryAddress = "sidecar.istio.io/discoveryAddress";

    /// <summary>Deprecated: nothing in Istio 1.10 reads it.</summary>
    public const string ControlPlaneAuthPolicy = "sidecar.istio.io/controlPlaneAuthPolicy";

    /// <summary>Deprecated stats annotations, read by pilot-agent from node metadata (ISTIO_METAJSON_ANNOTATIONS).</summary>
    public const string StatsInclusionPrefixes = "sidecar.istio.io/statsInclusionPrefixes";
    public const string StatsInclusionSuffixes = "sidecar.istio.io/statsInclusionSuffixes";
    public const string StatsInclusionRegexps = "sidecar.istio.io/statsInclusionRegexps";
    public const string ExtraStatTags = "sidecar.istio.io/extraStatTags";

    /// <summary>Deprecated and hidden in istio.io/api; nothing in Istio 1.10 reads it.</summary>
    public const string AlphaIdentity = "alpha.istio.io/identity";

    /// <summary>Read by Istio 1.10's injection template, not listed in istio.io/api.</summary>
    public const string CapNetBindService = "sidecar.istio.io/capNetBindService";

    /// <summary>Istio 1.10's webhook: which injection templates to render (default "sidecar").</summary>
    public const string Templates = "inject.istio.io/templates";

    /// <summary>Istio 1.10's webhook: container overrides it records when re-injecting.</summary>
    public const string Overrides = "proxy.istio.io/overrides";

    /// <summary>Every annotation above: one under <see cref="IstioPrefixes"/> and not here is unknown to Istio 1.10.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        Inject, Status, RewriteAppHttpProbers, ProxyImage, ProxyCpu, ProxyCpuLimit, ProxyMemory, ProxyMemoryLimit,
        InterceptionMode, BootstrapOverride, UserVolume, UserVolumeMount, EnableCoreDump, StatusPort, LogLevel,
        ComponentLogLevel, AgentLogLevel, ReadinessInitialDelaySeconds, ReadinessPeriodSeconds, ReadinessFailureThreshold,
        ReadinessApplicationPorts, IncludeOutboundIPRanges, ExcludeOutboundIPRanges, IncludeInboundPorts,
        ExcludeInboundPorts, IncludeOutboundPorts, ExcludeOutboundPorts, KubevirtInterfaces, ProxyConfig,
        PrometheusMergeMetrics, DiscoveryAddress, ControlPlaneAuthPolicy, StatsInclusionPrefixes, StatsInclusionSuffixes,
        StatsInclusionRegexps, ExtraStatTags, AlphaIdentity, CapNetBindService, Templates, Overrides,
    };

    /// <summary>Prefixes of Istio's sidecar and proxy annotations; an unknown key under them is most likely a typo.</summary>
    public static readonly IReadOnlyList<string> IstioPrefixes =
    [
        "sidecar.istio.io/", "traffic.sidecar.istio.io/", "status.sidecar.istio.io/", "readiness.status.sidecar.istio.io/",
        "proxy.istio.io/", "prometheus.istio.io/", "inject.istio.io/",
    ];
}
