using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Parsers for annotation values, each as strict as the Go parser istiod 1.10 (or Kubernetes, or
/// pilot-agent) applies to the same value, so a value is refused here when it would break there.
/// Methods returning a string return null for a valid value, or why it is not.
/// </summary>
public static partial class AnnotationValues
{
    private const int ShownLength = 48;

    private static readonly HashSet<string> EnvoyLogLevels = new(StringComparer.Ordinal) { "trace", "debug", "info", "warning", "warn", "error", "critical", "off" };
    private static readonly HashSet<string> AgentLogLevels = new(StringComparer.Ordinal) { "debug", "info", "warn", "error", "fatal", "none" };

    /// <summary>A value as it may appear in a log or a message: at most 48 characters, one line; null (a container without a name) shows empty.</summary>
    public static string Shown(string? value)
    {
        var oneLine = (value ?? string.Empty).ReplaceLineEndings("\\n");
        return oneLine.Length <= ShownLength ? oneLine : oneLine[..ShownLength] + "…";
    }

    /// <summary>Go's strconv.ParseBool: 1, t, T, TRUE, true, True and their false counterparts.</summary>
    public static bool TryParseBool(string value, out bool result)
    {
        switch (value)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                result = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    /// <summary>Istio's parsePort: a decimal 0-65535, surrounding spaces allowed.</summary>
    public static bool TryParsePort(string value, out int port) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;

    /// <summary>Istio's parsePorts: comma-separated ports; empty means none.</summary>
    public static string? PortListProblem(string value)
    {
        if (value.Trim().Length == 0)
        {
            return null;
        }

        var bad = value.Trim().Split(',').FirstOrDefault(p => !TryParsePort(p, out _));
        return bad is null ? null : $"'{Shown(bad)}' is not a port (0-65535); expected comma-separated ports";
    }

    /// <summary>Go's strconv.ParseUint(value, 10, 32), and small enough for a Kubernetes int32 field.</summary>
    public static bool TryParseProbeInteger(string value, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);

    /// <summary>Comma-separated CIDRs as Go's net.ParseCIDR reads them (no spaces); empty means none.</summary>
    public static string? CidrListProblem(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        var bad = value.Split(',').FirstOrDefault(c => !IsCidr(c));
        return bad is null ? null : $"'{Shown(bad)}' is not a CIDR (address/prefix-length); expected comma-separated CIDRs";
    }

    /// <summary>A Kubernetes resource quantity (e.g. 100m, 128Mi), not negative.</summary>
    public static bool IsQuantity(string value)
    {
        if (value.StartsWith('-'))
        {
            return false;
        }

        try
        {
            _ = new ResourceQuantity(value).ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or ArithmeticException)
        {
            // ArithmeticException: KubernetesClient's parser divides by zero on "NaN".
            return false;
        }
    }

    /// <summary>A DNS-1123 subdomain, as Kubernetes object names (e.g. a ConfigMap's) must be.</summary>
    public static bool IsDnsSubdomain(string value) => value.Length <= 253 && DnsSubdomain().IsMatch(value);

    /// <summary>A DNS-1123 label, as Kubernetes volume names must be.</summary>
    public static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabel().IsMatch(value);

    /// <summary>A level Envoy's --log-level accepts.</summary>
    public static bool IsEnvoyLogLevel(string value) => EnvoyLogLevels.Contains(value);

    /// <summary>Envoy's --component-log-level: component:level,component:level.</summary>
    public static string? ComponentLogLevelProblem(string value)
    {
        foreach (var item in value.Split(','))
        {
            var parts = item.Split(':');
            if (parts.Length != 2 || !ComponentName().IsMatch(parts[0]) || !IsEnvoyLogLevel(parts[1]))
            {
                return $"'{Shown(item)}' is not component:level (levels {string.Join(", ", EnvoyLogLevels)})";
            }
        }

        return null;
    }

    /// <summary>pilot-agent's --log_output_level: scope:level or level, comma-separated.</summary>
    public static string? AgentLogLevelProblem(string value)
    {
        foreach (var item in value.Split(','))
        {
            var parts = item.Split(':');
            var level = parts[^1];
            if (parts.Length > 2 || !AgentLogLevels.Contains(level) || (parts.Length == 2 && parts[0].Length == 0))
            {
                return $"'{Shown(item)}' is not scope:level or level (levels {string.Join(", ", AgentLogLevels)})";
            }
        }

        return null;
    }

    /// <summary>host:port with a port of 1-65535, as Istio's ValidateProxyAddress requires.</summary>
    public static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && !value[..colon].Any(char.IsWhiteSpace) &&
            int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
    }

    /// <summary>Comma-separated Linux interface names (1-15 characters, no '/', ':' or spaces).</summary>
    public static string? InterfaceListProblem(string value)
    {
        var bad = value.Split(',').FirstOrDefault(name => !InterfaceName().IsMatch(name));
        return bad is null ? null : $"'{Shown(bad)}' is not a network interface name; expected comma-separated interface names";
    }

    /// <summary>A Kubernetes environment variable name.</summary>
    public static bool IsEnvName(string value) => value.Length > 0 && EnvName().IsMatch(value);

    private static bool IsCidr(string value)
    {
        var slash = value.IndexOf('/');
        if (slash <= 0 || !int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var address = value[..slash];
        if (Ipv4().Match(address) is { Success: true } v4)
        {
            return v4.Groups.Values.Skip(1).All(g => int.Parse(g.Value, CultureInfo.InvariantCulture) <= 255) && prefix <= 32;
        }

        return address.Contains(':') && !address.Contains('%') &&
            IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && prefix <= 128;
    }

    [GeneratedRegex("^([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})$")]
    private static partial Regex Ipv4();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex ComponentName();

    [GeneratedRegex("^[A-Za-z0-9_.@-]{1,15}$")]
    private static partial Regex InterfaceName();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvName();
}
