using System.Globalization;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// The traffic.sidecar.istio.io annotations: which traffic istio-init's iptables rules send through the
/// proxy. Each replaces the injector's setting, as in Istio 1.10's template.
/// </summary>
/// <param name="ExcludeInboundPorts">The excluded inbound ports with the status port added, as Istio's excludeInboundPort does.</param>
/// <param name="IncludeOutboundPorts">-q, only when annotated; likewise -o and -k.</param>
public sealed record TrafficAnnotations(
    string IncludeOutboundIPRanges,
    string ExcludeOutboundIPRanges,
    string IncludeInboundPorts,
    string ExcludeInboundPorts,
    string? IncludeOutboundPorts,
    string? ExcludeOutboundPorts,
    string? KubevirtInterfaces)
{
    public static TrafficAnnotations Read(Func<string, string?> get, InjectionSettings settings, int statusPort, AnnotationProblems problems)
    {
        string? Checked(string key, Func<string, string?> problemOf)
        {
            var value = get(key);
            if (value is not null && problemOf(value) is { } problem)
            {
                problems.Invalid(key, value, problem);
            }

            return value;
        }

        static string? UnlessWildcard(string value, Func<string, string?> problemOf) => value == "*" ? null : problemOf(value);

        var includeIPs = Checked(SidecarAnnotations.IncludeOutboundIPRanges, v => UnlessWildcard(v, AnnotationValues.CidrListProblem)) ?? settings.IncludeOutboundIPRanges;
        var excludeIPs = Checked(SidecarAnnotations.ExcludeOutboundIPRanges, AnnotationValues.CidrListProblem) ?? settings.ExcludeOutboundIPRanges;
        var includeInbound = Checked(SidecarAnnotations.IncludeInboundPorts, v => UnlessWildcard(v, AnnotationValues.PortListProblem)) ?? "*";
        var excludeInbound = Checked(SidecarAnnotations.ExcludeInboundPorts, AnnotationValues.PortListProblem)
            ?? string.Join(',', settings.ExcludeInboundPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return new TrafficAnnotations(
            includeIPs,
            excludeIPs,
            includeInbound,
            WithStatusPort(statusPort, excludeInbound),
            Checked(SidecarAnnotations.IncludeOutboundPorts, AnnotationValues.PortListProblem),
            Checked(SidecarAnnotations.ExcludeOutboundPorts, AnnotationValues.PortListProblem),
            Checked(SidecarAnnotations.KubevirtInterfaces, AnnotationValues.InterfaceListProblem));
    }

    /// <summary>Istio's excludeInboundPort: the status port is never captured (unless it is 0, off).</summary>
    private static string WithStatusPort(int statusPort, string excluded)
    {
        if (statusPort == 0)
        {
            return excluded;
        }

        var port = statusPort.ToString(CultureInfo.InvariantCulture);
        var ports = excluded.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        if (ports.Contains(port))
        {
            return excluded;
        }

        ports.Add(port);
        return string.Join(',', ports);
    }
}
