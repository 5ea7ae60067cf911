using ControlPlane.Operator.Injection;

namespace ControlPlane.Operator.Tests.Injection;

/// <summary>
/// Every pod annotation Istio 1.10 reads at injection, one row each: honoured as istiod 1.10 honours it,
/// refused with the reason when its value is invalid, or let through with a warning when it has no
/// effect. Expectations are <see cref="InjectedPod.Expect"/> strings.
/// </summary>
public sealed class SidecarAnnotationTests
{
    private const string ProxyConfig = "proxy.istio.io/config";

    public static TheoryData<string, string, string> Honoured() => new()
    {
        { "sidecar.istio.io/inject", "true", "proxy:/name=istio-proxy" },
        { "sidecar.istio.io/inject", "false", "skipped" },
        { "sidecar.istio.io/status", "{}", "skipped" },
        { "sidecar.istio.io/rewriteAppHTTPProbers", "false", "app:/readinessProbe/httpGet/port=http" },
        { "sidecar.istio.io/rewriteAppHTTPProbers", "true", "app:/readinessProbe/httpGet/path=/app-health/app/readyz" },
        { "sidecar.istio.io/proxyImage", "registry.example.com/istio/proxyv2:1.10.6", "proxy:/image=registry.example.com/istio/proxyv2:1.10.6" },
        { "sidecar.istio.io/proxyImage", "registry.example.com/istio/proxyv2:1.10.6", "init:/image=registry.example.com/istio/proxyv2:1.10.6" },
        { "sidecar.istio.io/proxyCPU", "50m", "proxy:/resources/requests/cpu=50m" },
        { "sidecar.istio.io/proxyCPU", "50m", "init:/resources/requests/cpu=50m" },
        { "sidecar.istio.io/proxyCPU", "50m", "proxy:/resources/limits!" },
        { "sidecar.istio.io/proxyMemory", "64Mi", "proxy:/resources/requests/memory=64Mi" },
        { "sidecar.istio.io/proxyCPULimit", "500m", "proxy:/resources/limits/cpu=500m" },
        { "sidecar.istio.io/proxyMemoryLimit", "256Mi", "proxy:/resources/limits/memory=256Mi" },
        { "sidecar.istio.io/interceptionMode", "REDIRECT", "init:/args~\"-m\",\"REDIRECT\"" },
        { "sidecar.istio.io/interceptionMode", "TPROXY", "init:/args~\"-m\",\"TPROXY\"" },
        { "sidecar.istio.io/interceptionMode", "TPROXY", "proxy:/securityContext/capabilities/add~NET_ADMIN" },
        { "sidecar.istio.io/interceptionMode", "TPROXY", "proxy:/env/ISTIO_META_INTERCEPTION_MODE/value=TPROXY" },
        { "sidecar.istio.io/interceptionMode", "NONE", "pod:/spec/initContainers!" },
        { "sidecar.istio.io/bootstrapOverride", "app-bootstrap", "pod:/spec/volumes/custom-bootstrap-volume/configMap/name=app-bootstrap" },
        { "sidecar.istio.io/bootstrapOverride", "app-bootstrap", "proxy:/env/ISTIO_BOOTSTRAP_OVERRIDE/value=/etc/istio/custom-bootstrap/custom_bootstrap.json" },
        { "sidecar.istio.io/bootstrapOverride", "app-bootstrap", "proxy:/volumeMounts/custom-bootstrap-volume/mountPath=/etc/istio/custom-bootstrap" },
        { "sidecar.istio.io/userVolume", "{\"certs\":{\"secret\":{\"secretName\":\"app-certs\"}}}", "pod:/spec/volumes/certs/secret/secretName=app-certs" },
        { "sidecar.istio.io/userVolumeMount", "{\"certs\":{\"mountPath\":\"/etc/certs\",\"readOnly\":true}}", "proxy:/volumeMounts/certs/mountPath=/etc/certs" },
        { "sidecar.istio.io/enableCoreDump", "false", "proxy:/securityContext/readOnlyRootFilesystem=true" },
        { "status.sidecar.istio.io/port", "15120", "app:/readinessProbe/httpGet/port=15120" },
        { "status.sidecar.istio.io/port", "15120", "init:/args~\"-d\",\"15090,15021,15120\"" },
        { "status.sidecar.istio.io/port", "15120", "pod:/metadata/annotations/prometheus.io%2Fport=15120" },
        { "status.sidecar.istio.io/port", "0", "proxy:/readinessProbe!" },
        { "status.sidecar.istio.io/port", "0", "app:/readinessProbe/httpGet/port=http" },
        { "sidecar.istio.io/logLevel", "debug", "proxy:/args~\"--proxyLogLevel=debug\"" },
        { "sidecar.istio.io/componentLogLevel", "misc:error,upstream:debug", "proxy:/args~\"--proxyComponentLogLevel=misc:error,upstream:debug\"" },
        { "sidecar.istio.io/agentLogLevel", "default:debug,ads:info", "proxy:/args~\"--log_output_level=default:debug,ads:info\"" },
        { "readiness.status.sidecar.istio.io/initialDelaySeconds", "7", "proxy:/readinessProbe/initialDelaySeconds=7" },
        { "readiness.status.sidecar.istio.io/periodSeconds", "9", "proxy:/readinessProbe/periodSeconds=9" },
        { "readiness.status.sidecar.istio.io/failureThreshold", "4", "proxy:/readinessProbe/failureThreshold=4" },
        { "traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,fd00::/8", "init:/args~\"-i\",\"10.0.0.0/8,fd00::/8\"" },
        { "traffic.sidecar.istio.io/includeOutboundIPRanges", "", "init:/args~\"-i\",\"\"" },
        { "traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.96.0.1/32", "init:/args~\"-x\",\"10.96.0.1/32\"" },
        { "traffic.sidecar.istio.io/includeInboundPorts", "8080,8443", "init:/args~\"-b\",\"8080,8443\"" },
        { "traffic.sidecar.istio.io/excludeInboundPorts", "9901", "init:/args~\"-d\",\"15090,15021,9901,15020\"" },
        { "traffic.sidecar.istio.io/includeOutboundPorts", "5432", "init:/args~\"-q\",\"5432\"" },
        { "traffic.sidecar.istio.io/excludeOutboundPorts", "6379,11211", "init:/args~\"-o\",\"6379,11211\"" },
        { "traffic.sidecar.istio.io/kubevirtInterfaces", "net1,net2", "init:/args~\"-k\",\"net1,net2\"" },
        { ProxyConfig, "concurrency: 3", "proxy:/args~\"--concurrency\",\"3\"" },
        { ProxyConfig, "concurrency: 0", "proxy:/args^--concurrency" },
        { ProxyConfig, "concurrency: 0", "pod:/spec/volumes/istio-podinfo/downwardAPI/items/cpu-limit/resourceFieldRef/resource=limits.cpu" },
        { ProxyConfig, "{\"concurrency\": \"5\"}", "proxy:/env/PROXY_CONFIG/value~\"concurrency\":5" },
        { ProxyConfig, "holdApplicationUntilProxyStarts: true", "pod:/spec/containers/0/name=istio-proxy" },
        { ProxyConfig, "holdApplicationUntilProxyStarts: true", "proxy:/lifecycle/postStart/exec/command=[\"pilot-agent\",\"wait\"]" },
        { ProxyConfig, "interceptionMode: TPROXY", "init:/args~\"-m\",\"TPROXY\"" },
        { ProxyConfig, "statusPort: 15030", "app:/readinessProbe/httpGet/port=15030" },
        { ProxyConfig, "proxyMetadata:\n  DNS_AGENT: \"\"\n  ISTIO_META_DNS_CAPTURE: \"true\"", "proxy:/env/ISTIO_META_DNS_CAPTURE/value=true" },
        { ProxyConfig, "proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: \"true\"", "init:/env/ISTIO_META_DNS_CAPTURE/value=true" },
        { ProxyConfig, "{\"drain_duration\": \"10s\", \"tracing\": {\"sampling\": 10}}", "proxy:/env/PROXY_CONFIG/value~\"drainDuration\":\"10s\",\"tracing\":{\"sampling\":10}" },
        { ProxyConfig, "discoveryAddress: xds.other.svc:15010", "proxy:/env/PROXY_CONFIG/value~\"discoveryAddress\":\"xds.other.svc:15010\"" },
        { "prometheus.istio.io/merge-metrics", "false", "pod:/metadata/annotations/prometheus.io%2Fport!" },
        { "prometheus.istio.io/merge-metrics", "true", "pod:/metadata/annotations/prometheus.io%2Fpath=/stats/prometheus" },
        { "sidecar.istio.io/discoveryAddress", "xds.other.svc:15010", "proxy:/env/PROXY_CONFIG/value~\"discoveryAddress\":\"xds.other.svc:15010\"" },
        { "sidecar.istio.io/statsInclusionPrefixes", "cluster.outbound", "proxy:/env/ISTIO_METAJSON_ANNOTATIONS/value~\"sidecar.istio.io/statsInclusionPrefixes\":\"cluster.outbound\"" },
        { "sidecar.istio.io/statsInclusionSuffixes", "upstream_cx_total", "proxy:/env/ISTIO_METAJSON_ANNOTATIONS/value~\"sidecar.istio.io/statsInclusionSuffixes\":\"upstream_cx_total\"" },
        { "sidecar.istio.io/statsInclusionRegexps", "http.*", "proxy:/env/ISTIO_METAJSON_ANNOTATIONS/value~\"sidecar.istio.io/statsInclusionRegexps\":\"http.*\"" },
        { "sidecar.istio.io/extraStatTags", "request_host", "proxy:/env/ISTIO_METAJSON_ANNOTATIONS/value~\"sidecar.istio.io/extraStatTags\":\"request_host\"" },
        { "sidecar.istio.io/capNetBindService", "true", "proxy:/securityContext/capabilities/add~NET_BIND_SERVICE" },
        { "sidecar.istio.io/capNetBindService", "true", "proxy:/securityContext/runAsUser=0" },
        { "inject.istio.io/templates", "sidecar", "proxy:/name=istio-proxy" },
    };

    public static TheoryData<string, string, string> Refused() => new()
    {
        { "sidecar.istio.io/rewriteAppHTTPProbers", "maybe", "expected true or false" },
        { "sidecar.istio.io/proxyImage", "proxyv2", "expected a full image reference" },
        { "sidecar.istio.io/proxyCPU", "lots", "Kubernetes quantity" },
        { "sidecar.istio.io/proxyMemory", "-1Gi", "Kubernetes quantity" },
        { "sidecar.istio.io/proxyCPULimit", "1x", "Kubernetes quantity" },
        { "sidecar.istio.io/proxyMemoryLimit", "big", "Kubernetes quantity" },
        { "sidecar.istio.io/interceptionMode", "redirect", "expected REDIRECT, TPROXY or NONE" },
        { "sidecar.istio.io/bootstrapOverride", "Not_A_Name", "name of a ConfigMap" },
        { "sidecar.istio.io/userVolume", "[{\"name\":\"certs\",\"emptyDir\":{}}]", "expected a JSON object from volume name" },
        { "sidecar.istio.io/userVolume", "{certs", "not JSON" },
        { "sidecar.istio.io/userVolume", "{\"istio-envoy\":{\"emptyDir\":{}}}", "already in the pod or added by injection" },
        { "sidecar.istio.io/userVolumeMount", "{\"certs\":{\"readOnly\":true}}", "has no mountPath" },
        { "sidecar.istio.io/enableCoreDump", "sure", "expected true or false" },
        { "status.sidecar.istio.io/port", "70000", "expected a port" },
        { "sidecar.istio.io/logLevel", "loud", "expected trace, debug" },
        { "sidecar.istio.io/componentLogLevel", "misc", "is not component:level" },
        { "sidecar.istio.io/agentLogLevel", "default:verbose", "is not scope:level or level" },
        { "readiness.status.sidecar.istio.io/initialDelaySeconds", "-1", "expected a whole number" },
        { "readiness.status.sidecar.istio.io/periodSeconds", "1.5", "expected a whole number" },
        { "readiness.status.sidecar.istio.io/failureThreshold", "many", "expected a whole number" },
        { "traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/33", "is not a CIDR" },
        { "traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8, 172.16.0.0/12", "is not a CIDR" },
        { "traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", "is not a CIDR" },
        { "traffic.sidecar.istio.io/includeInboundPorts", "http", "is not a port" },
        { "traffic.sidecar.istio.io/excludeInboundPorts", "*", "is not a port" },
        { "traffic.sidecar.istio.io/includeOutboundPorts", "65536", "is not a port" },
        { "traffic.sidecar.istio.io/excludeOutboundPorts", "redis", "is not a port" },
        { "traffic.sidecar.istio.io/kubevirtInterfaces", "eth0/1", "is not a network interface name" },
        { ProxyConfig, "concurrency: -1", "concurrency: expected a whole number" },
        { ProxyConfig, "interceptionMode: NONE", "interceptionMode: expected REDIRECT or TPROXY" },
        { ProxyConfig, "controlPlaneAuthPolicy: MUTUAL_TLS", "is not supported: controlPlaneAuthPolicy MUTUAL_TLS" },
        { ProxyConfig, "discoveryAddress: nowhere", "discoveryAddress: expected host:port" },
        { ProxyConfig, "[1, 2]", "expected a mapping of ProxyConfig fields" },
        { ProxyConfig, "drainDuration: 1m", "drainDuration: expected whole seconds" },
        { ProxyConfig, "parentShutdownDuration: 30s", "must be longer than drainDuration 45s" },
        { ProxyConfig, "concurrency: [", "not valid YAML" },
        { ProxyConfig, "a: &x 1\nb: *x", "anchors and aliases are not supported" },
        { ProxyConfig, "proxyMetadata:\n  1BAD: x", "is not an environment variable name" },
        { ProxyConfig, "holdApplicationUntilProxyStarts: sometimes", "holdApplicationUntilProxyStarts: expected true or false" },
        { "prometheus.istio.io/merge-metrics", "perhaps", "expected true or false" },
        { "sidecar.istio.io/discoveryAddress", "no-port", "expected host:port" },
        { "sidecar.istio.io/capNetBindService", "yes", "expected true or false" },
        { "inject.istio.io/templates", "sidecar,gateway", "is not supported: only the sidecar template" },
    };

    public static TheoryData<string, string, string> Warned() => new()
    {
        { "sidecar.istio.io/enableCoreDump", "true", "has no effect" },
        { "sidecar.istio.io/controlPlaneAuthPolicy", "MUTUAL_TLS", "has no effect in Istio 1.10" },
        { "alpha.istio.io/identity", "spiffe://cluster.local/ns/shop/sa/app", "has no effect in Istio 1.10" },
        { "readiness.status.sidecar.istio.io/applicationPorts", "8080", "has no effect in Istio 1.10" },
        { "sidecar.istio.io/statsInclusionPrefixes", "cluster.outbound", "deprecated; honoured" },
        { "sidecar.istio.io/statsInclusionSuffixes", "upstream_cx_total", "deprecated; honoured" },
        { "sidecar.istio.io/statsInclusionRegexps", "http.*", "deprecated; honoured" },
        { "sidecar.istio.io/discoveryAddress", "xds.other.svc:15010", "deprecated; honoured" },
        { "proxy.istio.io/overrides", "{\"containers\":[]}", "applies no container overrides" },
        { "status.sidecar.istio.io/port", "0", "application probes are not rewritten" },
        { "sidecar.istio.io/proxyCpu", "50m", "not an annotation Istio 1.10 knows" },
        { ProxyConfig, "concurency: 3", "field 'concurency' is not in Istio 1.10's ProxyConfig" },
    };

    /// <summary>Istio 1.10's Pod annotations (istio.io/api at the commit 1.10.0 pins) and those its template and webhook read unlisted.</summary>
    private static readonly string[] Istio110PodAnnotations =
    [
        "prometheus.istio.io/merge-metrics", "alpha.istio.io/identity", "sidecar.istio.io/inject", "sidecar.istio.io/status",
        "sidecar.istio.io/rewriteAppHTTPProbers", "sidecar.istio.io/controlPlaneAuthPolicy", "sidecar.istio.io/discoveryAddress",
        "sidecar.istio.io/proxyImage", "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemory",
        "sidecar.istio.io/proxyMemoryLimit", "sidecar.istio.io/interceptionMode", "sidecar.istio.io/bootstrapOverride",
        "sidecar.istio.io/statsInclusionPrefixes", "sidecar.istio.io/statsInclusionSuffixes", "sidecar.istio.io/statsInclusionRegexps",
        "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/enableCoreDump", "status.sidecar.istio.io/port",
        "sidecar.istio.io/logLevel", "sidecar.istio.io/componentLogLevel", "sidecar.istio.io/agentLogLevel",
        "readiness.status.sidecar.istio.io/initialDelaySeconds", "readiness.status.sidecar.istio.io/periodSeconds",
        "readiness.status.sidecar.istio.io/failureThreshold", "readiness.status.sidecar.istio.io/applicationPorts",
        "traffic.sidecar.istio.io/includeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundIPRanges",
        "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
        "traffic.sidecar.istio.io/includeOutboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts",
        "traffic.sidecar.istio.io/kubevirtInterfaces", "proxy.istio.io/config",
        "sidecar.istio.io/capNetBindService", "sidecar.istio.io/extraStatTags", "inject.istio.io/templates", "proxy.istio.io/overrides",
    ];

    [Theory]
    [MemberData(nameof(Honoured))]
    public void Honoured_as_istiod_1_10_does(string annotation, string value, string expectation)
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string> { [annotation] = value }));

        injected.Expect(expectation);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_invalid_value_refuses_the_pod_with_the_reason(string annotation, string value, string reason)
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string> { [annotation] = value }));

        injected.Outcome.Decision.Allowed.Should().BeFalse($"{annotation}={value} is invalid");
        injected.Outcome.Decision.Reason.Should().Contain(annotation).And.Contain(reason);
    }

    [Theory]
    [MemberData(nameof(Warned))]
    public void One_without_effect_is_let_through_with_a_warning(string annotation, string value, string warning)
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string> { [annotation] = value }));

        injected.Patched.Should().NotBeNull(injected.Outcome.Decision.Reason);
        injected.Outcome.Warnings.Should().Contain(w => w.StartsWith(annotation + ":", StringComparison.Ordinal) && w.Contains(warning, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_annotation_istiod_1_10_reads_has_a_case_and_is_known()
    {
        var covered = Rows(Honoured()).Concat(Rows(Warned())).ToHashSet();

        Istio110PodAnnotations.Should().OnlyContain(a => covered.Contains(a), "every annotation is honoured, refused or warned about, never silently ignored");
        SidecarAnnotations.Known.Should().BeEquivalentTo(Istio110PodAnnotations);
    }

    [Fact]
    public void A_pod_without_annotations_gets_no_warnings()
    {
        InjectedPod.Of(InjectedPod.BasePod()).Outcome.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Every_invalid_annotation_is_named_in_one_refusal()
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string>
        {
            ["sidecar.istio.io/proxyCPU"] = "lots",
            ["status.sidecar.istio.io/port"] = "x",
        }));

        injected.Outcome.Decision.Reason.Should().Contain("sidecar.istio.io/proxyCPU").And.Contain("status.sidecar.istio.io/port");
    }

    [Fact]
    public void Long_values_are_shortened_in_reasons()
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string> { ["sidecar.istio.io/logLevel"] = new string('x', 100_000) }));

        injected.Outcome.Decision.Reason.Length.Should().BeLessThan(300);
    }

    private static IEnumerable<string> Rows(TheoryData<string, string, string> data) => data.Select(row => (string)row[0]);
}
