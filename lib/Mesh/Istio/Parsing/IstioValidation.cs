using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// The checks Istio 1.10's pkg/config/validation applies to names, addresses, ports and the like.
/// Each returns null when the value is valid, else the message to report (quoting client input
/// bounded, see <see cref="SpecReader.Quote"/>).
/// </summary>
public static partial class IstioValidation
{
    public const string UnixAddressPrefix = "unix://";

    private static readonly HashSet<string> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        "TCP", "UDP", "GRPC", "GRPC-WEB", "HTTP", "HTTP_PROXY", "HTTP2", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL", "THRIFT",
    };

    private static readonly HashSet<string> HttpMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE",
    };

    /// <summary>Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on conditions that Istio 1.10 accepts.</summary>
    private static readonly HashSet<string> RetryOnPolicies = new(StringComparer.Ordinal)
    {
        "5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes",
        "retriable-headers", "envoy-ratelimited", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    };

    /// <summary>The status codes Go's net/http has a text for (Istio accepts those in retryOn).</summary>
    private static readonly HashSet<int> KnownHttpStatuses =
    [
        100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
        400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
        424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
    ];

    /// <summary>A DNS-1123 label as Istio checks it (letters of either case, digits, '-'; at most 63).</summary>
    public static bool IsDns1123Label(string value) => value.Length <= 63 && Dns1123Label().IsMatch(value);

    /// <summary>A label that may also be "*", or start with "*" or "*-" (wildcard hosts' first label).</summary>
    public static bool IsWildcardDns1123Label(string value) => value.Length <= 63 && WildcardLabel().IsMatch(value);

    /// <summary>A domain name, optionally with a wildcard first label (e.g. *.example.com, *).</summary>
    public static string? WildcardDomain(string domain)
    {
        if (Preconditions(domain) is { } error)
        {
            return error;
        }

        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        var first = dot < 0 ? domain : domain[..dot];
        if (!IsWildcardDns1123Label(first))
        {
            return $"domain name {SpecReader.Quote(domain)} invalid (label {SpecReader.Quote(first)} invalid)";
        }

        return dot < 0 ? null : Labels(domain, domain[(dot + 1)..]);
    }

    /// <summary>A fully qualified domain name without wildcards.</summary>
    public static string? Fqdn(string domain) => Preconditions(domain) ?? Labels(domain, domain);

    /// <summary>Go's net.ParseIP: dotted-quad IPv4 or IPv6, without zone or brackets.</summary>
    public static bool IsIpAddress(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return !value.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = value.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    public static string? IpAddress(string value) => IsIpAddress(value) ? null : $"{SpecReader.Quote(value)} is not a valid IP";

    /// <summary>An IP, or a CIDR block such as 10.0.0.0/8 or 2001:db8::/32.</summary>
    public static string? IpSubnet(string value)
    {
        if (value.Count(c => c == '/') != 1)
        {
            return IpAddress(value);
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var ip = value[..slash];
        var bits = value[(slash + 1)..];
        var max = ip.Contains(':', StringComparison.Ordinal) ? 128 : 32;
        return IsIpAddress(ip) && bits.Length is >= 1 and <= 3 && bits.All(char.IsAsciiDigit) && int.Parse(bits, CultureInfo.InvariantCulture) <= max
            ? null
            : $"{SpecReader.Quote(value)} is not a valid CIDR block";
    }

    /// <summary>The path of a unix:// address: absolute and not a directory, or abstract (@name).</summary>
    public static string? UnixAddress(string path)
    {
        if (path.Length == 0)
        {
            return "unix address must not be empty";
        }

        return path.StartsWith('@') || (path.StartsWith('/') && !path.EndsWith('/')) ? null : $"{SpecReader.Quote(path)} is not an absolute path to a file";
    }

    public static string? Port(long port) => port is >= 1 and <= 65535 ? null : $"port number {port} must be in the range 1..65535";

    public static string? PortName(string name) => IsDns1123Label(name) ? null : $"invalid port name: {SpecReader.Quote(name)}";

    /// <summary>A protocol name istio's protocol.Parse knows; empty is allowed (sniffed) where <paramref name="allowEmpty"/>.</summary>
    public static string? Protocol(string protocol, bool allowEmpty = true) =>
        (allowEmpty && protocol.Length == 0) || Protocols.Contains(protocol) ? null : $"unsupported protocol: {SpecReader.Quote(protocol)}";

    public static bool IsKnownProtocol(string protocol) => Protocols.Contains(protocol);

    public static string? Percent(long value) => value is >= 0 and <= 100 ? null : $"percentage {value} is not in range 0..100";

    public static string? Percentage(double value) =>
        value is < 0 or > 100 || (value > 0 && value < 0.0001) ? $"percentage {value.ToString(CultureInfo.InvariantCulture)} is neither 0.0, nor in range [0.0001, 100.0]" : null;

    /// <summary>Istio's ValidateDuration: at least 1ms, in whole milliseconds.</summary>
    public static string? Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMilliseconds(1))
        {
            return "duration must be greater than 1ms";
        }

        return ProtobufDuration.HasSubMillisecondPart(duration) ? "only durations to ms precision are supported" : null;
    }

    public static string? SubsetName(string name)
    {
        if (name.Length == 0)
        {
            return "subset name cannot be empty";
        }

        return IsDns1123Label(name) ? null : $"subset name is invalid: {SpecReader.Quote(name)}";
    }

    /// <summary>Label keys (optional DNS prefix and '/', then a qualified name) and values, as Istio's labels.Instance.Validate.</summary>
    public static IEnumerable<string> LabelSet(ValueMap<string> labels)
    {
        foreach (var (key, value) in labels)
        {
            var match = TagKey().Match(key);
            if (!match.Success)
            {
                yield return $"invalid tag key: {SpecReader.Quote(key)}";
            }
            else if (match.Groups[1].Length - 1 > 253)
            {
                yield return $"invalid tag key: {SpecReader.Quote(key)} (DNS prefix is too long)";
            }
            else if (match.Groups[2].Length > 63)
            {
                yield return $"invalid tag key: {SpecReader.Quote(key)} (name is too long)";
            }

            if (!LabelValue().IsMatch(value))
            {
                yield return $"invalid tag value: {SpecReader.Quote(value)}";
            }
        }
    }

    public static bool IsHttpMethod(string method) => HttpMethods.Contains(method);

    /// <summary>One comma-separated entry of retryOn: a known condition or an HTTP status code Go knows.</summary>
    public static bool IsRetryOnPolicy(string policy) =>
        RetryOnPolicies.Contains(policy) || (int.TryParse(policy, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) && KnownHttpStatuses.Contains(code));

    /// <summary>exportTo entries: ".", "*", a namespace (DNS label), and "~" for ServiceEntries; no duplicates, "*" and "~" alone.</summary>
    public static IEnumerable<string> ExportTo(ValueList<string> exportTo, string objectNamespace, bool isServiceEntry)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in exportTo)
        {
            var key = entry == "." ? objectNamespace : entry;
            if (!seen.Add(key))
            {
                yield return key != entry
                    ? $"duplicate entries in exportTo: . and current namespace {SpecReader.Quote(objectNamespace)}"
                    : $"duplicate entries in exportTo for entry {SpecReader.Quote(entry)}";
                continue;
            }

            if (isServiceEntry && entry == "~")
            {
                continue;
            }

            if (key == "~")
            {
                seen.Remove(key);
                yield return "exportTo ~ (none) is not allowed for Istio configuration objects";
            }
            else if (key != "*" && !IsDns1123Label(key))
            {
                seen.Remove(key);
                yield return "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry";
            }
        }

        if (seen.Contains("*") && exportTo.Count > 1)
        {
            yield return "cannot have both public (*) and non-public exportTo values for a resource";
        }

        if (seen.Contains("~") && exportTo.Count > 1)
        {
            yield return "cannot export service entry to no one (~) and someone";
        }
    }

    /// <summary>Gateway references: ns/name (both DNS labels), or a name / legacy FQDN (an FQDN check).</summary>
    public static IEnumerable<string> GatewayName(string gateway)
    {
        var slash = gateway.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (Fqdn(gateway) is { } error)
            {
                yield return error;
            }

            yield break;
        }

        var ns = gateway[..slash];
        var name = gateway[(slash + 1)..];
        if (ns.Length == 0 || name.Length == 0)
        {
            yield return "config namespace and gateway name cannot be empty";
        }

        if (!IsDns1123Label(ns))
        {
            yield return $"invalid value for namespace: {SpecReader.Quote(ns)}";
        }

        if (!IsDns1123Label(name))
        {
            yield return $"invalid value for gateway name: {SpecReader.Quote(name)}";
        }
    }

    /// <summary>A header name to set or add on requests: not empty, no pseudo-header but :authority (and Host).</summary>
    public static string? RequestHeaderToSet(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        return IsInternalHeader(name) && !IsAuthorityHeader(name) ? $"invalid header {SpecReader.Quote(name)}: header cannot have \":\" prefix" : null;
    }

    /// <summary>A header name to remove, or to change on responses: not empty, not Host, no pseudo-header.</summary>
    public static string? HeaderToChange(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        if (string.Equals(name, "host", StringComparison.OrdinalIgnoreCase))
        {
            return $"invalid header {SpecReader.Quote(name)}: cannot set Host header";
        }

        return IsInternalHeader(name) ? $"invalid header {SpecReader.Quote(name)}: header cannot have \":\" prefix" : null;
    }

    /// <summary>Envoy's header value syntax: '%' only in pairs (variables) or doubled.</summary>
    public static string? HeaderValue(string value) =>
        value.Count(c => c == '%') % 2 != 0 ? "single % not allowed.  Escape by doubling to %% or encase Envoy variable name in pair of %" : null;

    public static bool IsAuthorityHeader(string name) =>
        string.Equals(name, ":authority", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    private static bool IsInternalHeader(string name) => name.StartsWith(':') || string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    private static string? Preconditions(string domain)
    {
        if (domain.Length > 255)
        {
            return $"domain name {SpecReader.Quote(domain)} too long (max 255)";
        }

        return domain.Length == 0 ? "empty domain name not allowed" : null;
    }

    private static string? Labels(string whole, string domain)
    {
        var parts = domain.Split('.');
        var top = parts[^1];
        if (top.Length > 0 && int.TryParse(top, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return $"domain name {SpecReader.Quote(whole)} invalid (top level domain {SpecReader.Quote(top)} cannot be all-numeric)";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            // A trailing dot (istio.io.) is allowed.
            if (i == parts.Length - 1 && parts[i].Length == 0)
            {
                return null;
            }

            if (!IsDns1123Label(parts[i]))
            {
                return $"domain name {SpecReader.Quote(whole)} invalid (label {SpecReader.Quote(parts[i])} invalid)";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?\z")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)\z")]
    private static partial Regex WildcardLabel();

    [GeneratedRegex(@"^([a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?((?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])\z")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"^((?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z")]
    private static partial Regex LabelValue();
}
