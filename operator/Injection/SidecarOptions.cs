using System.Text.Json.Nodes;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Everything that shapes one pod's sidecar: the injector's settings with the pod's sidecar annotations
/// (and proxy.istio.io/config) applied, as Istio 1.10's injection template applies them. Made by
/// <see cref="SidecarOptionsReader.FromPod"/>.
/// </summary>
/// <param name="InterceptionMode">REDIRECT, TPROXY or NONE (no istio-init, no traffic capture).</param>
/// <param name="IncludeInboundPorts">"*", or comma-separated ports captured inbound (istio-iptables -b).</param>
/// <param name="ExcludeInboundPorts">Ports not captured inbound besides 15090 and 15021, the status port included (-d).</param>
/// <param name="StatusPort">pilot-agent's status port (probes and merged metrics); 0 when the pod turned it off.</param>
/// <param name="ProxyConfig">PROXY_CONFIG: the mesh ProxyConfig fields the proxy starts with.</param>
/// <param name="ProxyMetadata">proxy.istio.io/config proxyMetadata: environment of istio-proxy and istio-init.</param>
public sealed record SidecarOptions(
    ProxyFlavor Flavor,
    string Image,
    V1ResourceRequirements Resources,
    string InterceptionMode,
    string IncludeOutboundIPRanges,
    string ExcludeOutboundIPRanges,
    string IncludeInboundPorts,
    string ExcludeInboundPorts,
    string? IncludeOutboundPorts,
    string? ExcludeOutboundPorts,
    string? KubevirtInterfaces,
    int StatusPort,
    int ReadinessInitialDelaySeconds,
    int ReadinessPeriodSeconds,
    int ReadinessFailureThreshold,
    string ProxyLogLevel,
    string ComponentLogLevel,
    string AgentLogLevel,
    int Concurrency,
    string? BootstrapOverride,
    IReadOnlyList<V1Volume> UserVolumes,
    IReadOnlyList<V1VolumeMount> UserVolumeMounts,
    bool RewriteAppProbes,
    bool MergePrometheusMetrics,
    bool CapNetBindService,
    bool HoldApplicationUntilProxyStarts,
    JsonObject ProxyConfig,
    IReadOnlyDictionary<string, string> ProxyMetadata)
{
    /// <summary>Istio's default status port of pilot-agent (values.global.proxy.statusPort).</summary>
    public const int DefaultStatusPort = 15020;

    /// <summary>The volume a sidecar.istio.io/bootstrapOverride ConfigMap is mounted from.</summary>
    public const string BootstrapVolumeName = "custom-bootstrap-volume";
}
