using System.Text.Json.Nodes;
using k8s.Models;
using static ControlPlane.Operator.Injection.SidecarAnnotations;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Reads a pod's sidecar annotations over the injector's settings. Each annotation Istio 1.10 knows is
/// honoured as istiod 1.10 honours it; an invalid value refuses the pod (as istiod does, with the
/// reason); one that has no effect, is deprecated, or is an unknown key under Istio's prefixes (a typo)
/// is reported as a warning; a template or setting this control plane does not offer refuses the pod.
/// Nothing is ignored without a word.
/// </summary>
public static class SidecarOptionsReader
{
    /// <returns>The options, or null when an annotation is invalid; the problems either way.</returns>
    public static (SidecarOptions? Options, AnnotationProblems Problems) FromPod(V1Pod pod, InjectionSettings settings, ProxyFlavor flavor)
    {
        var annotations = pod.Metadata?.Annotations ?? new Dictionary<string, string>();
        var problems = new AnnotationProblems();
        string? Get(string key) => annotations.TryGetValue(key, out var value) ? value : null;

        CheckUnusedAndUnsupported(annotations, problems);
        var proxyConfig = Get(ProxyConfig) is { } proxyConfigValue ? ProxyConfigAnnotation.Parse(proxyConfigValue, problems) ?? [] : [];

        var image = settings.ImageFor(flavor);
        if (Get(ProxyImage) is { } proxyImage)
        {
            if (proxyImage.Contains('/') && !proxyImage.Any(char.IsWhiteSpace))
            {
                image = proxyImage;
            }
            else
            {
                problems.Invalid(ProxyImage, proxyImage, "expected a full image reference such as docker.io/istio/proxyv2:1.10.0 (Istio 1.10 would silently use its default image)");
            }
        }

        var interception = Get(InterceptionMode) ?? ConfigString(proxyConfig, "interceptionMode") ?? "REDIRECT";
        if (Get(InterceptionMode) is { } mode && mode is not ("REDIRECT" or "TPROXY" or "NONE"))
        {
            problems.Invalid(InterceptionMode, mode, "expected REDIRECT, TPROXY or NONE");
        }

        var statusPort = ConfigInt(proxyConfig, "statusPort") ?? SidecarOptions.DefaultStatusPort;
        if (Get(StatusPort) is { } statusValue)
        {
            if (AnnotationValues.TryParsePort(statusValue, out var port))
            {
                statusPort = port;
            }
            else
            {
                problems.Invalid(StatusPort, statusValue, "expected a port (0-65535; 0 turns the status port off)");
            }
        }

        if (statusPort == 0)
        {
            problems.Warn(StatusPort, "pilot-agent serves no status port, so the proxy has no readiness probe, application probes are not rewritten and metrics are not merged");
        }

        var traffic = TrafficAnnotations.Read(Get, settings, statusPort, problems);
        var concurrency = ConfigInt(proxyConfig, "concurrency") ?? settings.Concurrency;

        var discoveryAddress = ConfigString(proxyConfig, "discoveryAddress") ?? settings.DiscoveryAddress;
        if (Get(DiscoveryAddress) is { } discovery)
        {
            if (AnnotationValues.IsHostPort(discovery))
            {
                discoveryAddress = discovery;
                problems.Warn(DiscoveryAddress, "deprecated; honoured (pilot-agent reads it), but set discoveryAddress in proxy.istio.io/config instead");
            }
            else
            {
                problems.Invalid(DiscoveryAddress, discovery, "expected host:port");
            }
        }

        var bootstrap = Get(BootstrapOverride);
        if (bootstrap is not null && !AnnotationValues.IsDnsSubdomain(bootstrap))
        {
            problems.Invalid(BootstrapOverride, bootstrap, "expected the name of a ConfigMap in the pod's namespace holding custom_bootstrap.json");
        }

        var taken = new HashSet<string>(SidecarTemplate.InjectedVolumeNames, StringComparer.Ordinal);
        taken.UnionWith(pod.Spec?.Volumes?.Select(v => v.Name) ?? []);
        if (bootstrap is not null)
        {
            taken.Add(SidecarOptions.BootstrapVolumeName);
        }

        var userVolumes = Get(UserVolume) is { } volumes ? UserVolumeAnnotations.Volumes(volumes, taken, problems) : [];
        var userMounts = Get(UserVolumeMount) is { } mounts ? UserVolumeAnnotations.Mounts(mounts, problems) : [];

        var logLevel = Get(SidecarAnnotations.LogLevel) ?? settings.ProxyLogLevel;
        if (!AnnotationValues.IsEnvoyLogLevel(logLevel))
        {
            problems.Invalid(SidecarAnnotations.LogLevel, logLevel, "expected trace, debug, info, warning, error, critical or off");
        }

        var componentLogLevel = Checked(Get(ComponentLogLevel), ComponentLogLevel, AnnotationValues.ComponentLogLevelProblem, problems) ?? "misc:error";
        var agentLogLevel = Checked(Get(AgentLogLevel), AgentLogLevel, AnnotationValues.AgentLogLevelProblem, problems) ?? "default:info";

        var options = new SidecarOptions(
            flavor,
            image,
            ResourceAnnotations.Read(Get, settings.Resources, problems),
            interception,
            traffic.IncludeOutboundIPRanges,
            traffic.ExcludeOutboundIPRanges,
            traffic.IncludeInboundPorts,
            traffic.ExcludeInboundPorts,
            traffic.IncludeOutboundPorts,
            traffic.ExcludeOutboundPorts,
            traffic.KubevirtInterfaces,
            statusPort,
            ProbeSeconds(Get(ReadinessInitialDelaySeconds), ReadinessInitialDelaySeconds, 1, problems),
            ProbeSeconds(Get(ReadinessPeriodSeconds), ReadinessPeriodSeconds, 2, problems),
            ProbeSeconds(Get(ReadinessFailureThreshold), ReadinessFailureThreshold, 30, problems),
            logLevel,
            componentLogLevel,
            agentLogLevel,
            concurrency,
            bootstrap,
            userVolumes,
            userMounts,
            Bool(Get(RewriteAppHttpProbers), RewriteAppHttpProbers, true, problems),
            Bool(Get(PrometheusMergeMetrics), PrometheusMergeMetrics, true, problems),
            Bool(Get(CapNetBindService), CapNetBindService, false, problems),
            proxyConfig["holdApplicationUntilProxyStarts"]?.GetValue<bool>() == true,
            ProxyConfigJson(settings, flavor, proxyConfig, discoveryAddress, Get(StatusPort) is null ? null : statusPort),
            proxyConfig["proxyMetadata"] is JsonObject metadata
                ? metadata.ToDictionary(e => e.Key, e => e.Value!.GetValue<string>(), StringComparer.Ordinal)
                : new Dictionary<string, string>());

        if (Bool(Get(EnableCoreDump), EnableCoreDump, false, problems))
        {
            problems.Warn(EnableCoreDump, "has no effect, as in Istio 1.10, whose template enables core dumps only mesh-wide");
        }

        return (problems.Errors.Count == 0 ? options : null, problems);
    }

    /// <summary>
    /// Warns about annotations Istio 1.10 reads but that change nothing, and keys under Istio's prefixes
    /// it does not know; refuses injection templates other than "sidecar".
    /// </summary>
    private static void CheckUnusedAndUnsupported(IDictionary<string, string> annotations, AnnotationProblems problems)
    {
        foreach (var key in annotations.Keys.Order(StringComparer.Ordinal))
        {
            var reason = key switch
            {
                ControlPlaneAuthPolicy => "deprecated and has no effect in Istio 1.10 (the xds-server serves plaintext ADS)",
                AlphaIdentity => "deprecated and has no effect in Istio 1.10",
                ReadinessApplicationPorts => "has no effect in Istio 1.10: the sidecar's readiness does not probe application ports",
                StatsInclusionPrefixes or StatsInclusionSuffixes or StatsInclusionRegexps =>
                    "deprecated; honoured (pilot-agent reads it from node metadata), but use proxyStatsMatcher in proxy.istio.io/config",
                Overrides => "ignored: this injector applies no container overrides (a pod with its own istio-proxy container is not injected)",
                _ when IstioPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) && !Known.Contains(key) =>
                    "not an annotation Istio 1.10 knows, so it changes nothing (a typo?)",
                _ => null,
            };
            if (reason is not null)
            {
                // Keys are short: Kubernetes caps them at 253 + 63 characters.
                problems.Warn(key, reason);
            }
        }

        if (annotations.TryGetValue(Templates, out var templates) && templates.Split(',').Any(t => t.Trim() != "sidecar"))
        {
            problems.Unsupported(Templates, templates, "only the sidecar template is injected (gateway and custom templates are not available)");
        }
    }

    private static int ProbeSeconds(string? value, string key, int fallback, AnnotationProblems problems)
    {
        if (value is null)
        {
            return fallback;
        }

        if (AnnotationValues.TryParseProbeInteger(value, out var result))
        {
            return result;
        }

        problems.Invalid(key, value, "expected a whole number (0-2147483647)");
        return fallback;
    }

    private static bool Bool(string? value, string key, bool fallback, AnnotationProblems problems)
    {
        if (value is null)
        {
            return fallback;
        }

        if (AnnotationValues.TryParseBool(value, out var result))
        {
            return result;
        }

        problems.Invalid(key, value, "expected true or false");
        return fallback;
    }

    private static string? Checked(string? value, string key, Func<string, string?> problemOf, AnnotationProblems problems)
    {
        if (value is not null && problemOf(value) is { } problem)
        {
            problems.Invalid(key, value, problem);
        }

        return value;
    }

    /// <summary>
    /// The injector's ProxyConfig (where the xds-server is, plaintext, and for MOSN its binary) with the
    /// pod's proxy.istio.io/config fields over it, and the deprecated discovery and status annotations,
    /// which pilot-agent would apply anyway.
    /// </summary>
    private static JsonObject ProxyConfigJson(InjectionSettings settings, ProxyFlavor flavor, JsonObject overrides, string discoveryAddress, int? statusPort)
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

        foreach (var (name, value) in overrides)
        {
            config[name] = value?.DeepClone();
        }

        config["discoveryAddress"] = discoveryAddress;
        if (statusPort is { } port)
        {
            config["statusPort"] = port;
        }

        return config;
    }

    private static string? ConfigString(JsonObject config, string name) => config[name]?.GetValue<string>();

    /// <summary>A number ProxyConfigAnnotation has checked to be a whole number in int range.</summary>
    private static int? ConfigInt(JsonObject config, string name) =>
        config[name] is not { } node ? null
        : node.AsValue().TryGetValue<long>(out var integer) ? (int)integer
        : (int)node.GetValue<double>();
}
