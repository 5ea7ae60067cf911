using ControlPlane.Operator.Api;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>Effective injection settings: a SidecarInjector's spec with every default filled in.</summary>
public sealed record InjectionSettings(
    ProxyFlavor Flavor,
    string EnvoyImage,
    string MosnImage,
    string DiscoveryAddress,
    string Revision,
    string ProxyLogLevel,
    int Concurrency,
    V1ResourceRequirements Resources,
    IReadOnlyList<int> ExcludeInboundPorts,
    string IncludeOutboundIPRanges,
    string ExcludeOutboundIPRanges)
{
    public const string DefaultEnvoyImage = "docker.io/istio/proxyv2:1.10.0";
    public const string DefaultMosnImage = "docker.io/mosnio/proxyv2:v1.0.0-1.10.6";

    private static readonly HashSet<string> LogLevels = ["trace", "debug", "info", "warning", "error", "critical", "off"];

    /// <param name="revision">The revision injected for (the operator's --revision).</param>
    public static InjectionSettings Defaults(string discoveryAddress, string revision = "default") => new(
        ProxyFlavor.Envoy,
        DefaultEnvoyImage,
        DefaultMosnImage,
        discoveryAddress,
        revision,
        "warning",
        2,
        DefaultResources(),
        [],
        "*",
        string.Empty);

    public string ImageFor(ProxyFlavor flavor) => flavor == ProxyFlavor.Mosn ? MosnImage : EnvoyImage;

    /// <summary>Applies a spec over the defaults; returns the problems instead when it is invalid.</summary>
    public static (InjectionSettings? Settings, IReadOnlyList<string> Errors) FromSpec(SidecarInjectorSpec? spec, string defaultDiscoveryAddress, string defaultRevision = "default")
    {
        var settings = Defaults(defaultDiscoveryAddress, defaultRevision);
        if (spec is null)
        {
            return (settings, []);
        }

        var errors = new List<string>();
        var flavor = settings.Flavor;
        if (spec.ProxyFlavor is not null && !ProxyFlavors.TryParse(spec.ProxyFlavor, out flavor))
        {
            errors.Add($"spec.proxyFlavor '{spec.ProxyFlavor}' is not Envoy or MOSN");
        }

        if (spec.DiscoveryAddress is { } address && !IsHostPort(address))
        {
            errors.Add($"spec.discoveryAddress '{address}' is not host:port");
        }

        if (spec.ProxyLogLevel is { } level && !LogLevels.Contains(level))
        {
            errors.Add($"spec.proxyLogLevel '{level}' is not one of {string.Join(", ", LogLevels)}");
        }

        if (spec.Concurrency is < 0 or > 64)
        {
            errors.Add($"spec.concurrency {spec.Concurrency} is outside 0-64");
        }

        foreach (var port in spec.ExcludeInboundPorts ?? [])
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"spec.excludeInboundPorts: {port} is not a port number");
            }
        }

        if (spec.Images?.Envoy is "" || spec.Images?.Mosn is "")
        {
            errors.Add("spec.images: an image may not be empty");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (settings with
        {
            Flavor = flavor,
            EnvoyImage = spec.Images?.Envoy ?? settings.EnvoyImage,
            MosnImage = spec.Images?.Mosn ?? settings.MosnImage,
            DiscoveryAddress = spec.DiscoveryAddress ?? settings.DiscoveryAddress,
            Revision = spec.Revision ?? settings.Revision,
            ProxyLogLevel = spec.ProxyLogLevel ?? settings.ProxyLogLevel,
            Concurrency = spec.Concurrency ?? settings.Concurrency,
            Resources = spec.Resources ?? settings.Resources,
            ExcludeInboundPorts = spec.ExcludeInboundPorts?.ToList() ?? settings.ExcludeInboundPorts,
            IncludeOutboundIPRanges = spec.IncludeOutboundIPRanges ?? settings.IncludeOutboundIPRanges,
            ExcludeOutboundIPRanges = spec.ExcludeOutboundIPRanges ?? settings.ExcludeOutboundIPRanges,
        }, []);
    }

    private static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is >= 1 and <= 65535;
    }

    /// <summary>Istio's global.proxy.resources defaults.</summary>
    private static V1ResourceRequirements DefaultResources() => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2000m"), ["memory"] = new("1024Mi") },
    };
}
