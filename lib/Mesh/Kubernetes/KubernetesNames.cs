using System.Net;
using System.Net.Sockets;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// The API server's name and label rules (k8s.io/apimachinery pkg/util/validation), so that an
/// object from a file is held to what the cluster would have held it to. Each check returns null
/// when the value is valid, else a message naming the field and quoting at most 64 characters of
/// the value.
/// </summary>
public static class KubernetesNames
{
    private const string Dns1123LabelRule = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
    private const string Dns1035LabelRule = "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters";

    /// <summary>A namespace name: an RFC 1123 label.</summary>
    public static string? Namespace(string value, string field = "metadata.namespace") =>
        IsDns1123Label(value) ? null : $"{field} {Quote(value)} is not a valid namespace name ({Dns1123LabelRule})";

    /// <summary>A Service name: an RFC 1035 label, as it becomes a DNS label of its host name.</summary>
    public static string? ServiceName(string value, string field = "metadata.name") =>
        IsDns1035Label(value) ? null : $"{field} {Quote(value)} is not a valid Service name ({Dns1035LabelRule})";

    /// <summary>The name of most objects (Pods, EndpointSlices, Istio kinds): an RFC 1123 subdomain.</summary>
    public static string? ObjectName(string value, string field = "metadata.name") =>
        IsDns1123Subdomain(value) ? null : $"{field} {Quote(value)} is not a valid name (lowercase labels of letters, digits and '-' joined by '.', at most 253 characters)";

    /// <summary>A Service or EndpointSlice port name: empty, or an RFC 1123 label.</summary>
    public static string? PortName(string value, string field) =>
        value.Length == 0 || IsDns1123Label(value) ? null : $"{field} {Quote(value)} is not a valid port name ({Dns1123LabelRule})";

    /// <summary>A named target port: an IANA service name (at most 15 characters, a letter among them, no "--").</summary>
    public static string? IanaServiceName(string value, string field)
    {
        var valid = value.Length is > 0 and <= 15 && value[0] != '-' && value[^1] != '-' && !value.Contains("--", StringComparison.Ordinal) &&
                    value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && value.Any(c => c is >= 'a' and <= 'z');
        return valid ? null : $"{field} {Quote(value)} is not a valid port name (at most 15 lowercase letters, digits and '-', with a letter, no '--', not starting or ending with '-')";
    }

    /// <summary>Every label (or selector) key and value; <paramref name="field"/> is the map's path, e.g. metadata.labels.</summary>
    public static string? Labels(IEnumerable<KeyValuePair<string, string>>? labels, string field)
    {
        foreach (var (key, value) in labels ?? [])
        {
            if (LabelKey(key) is { } keyError)
            {
                return $"{field}: key {Quote(key)} {keyError}";
            }

            if (!IsLabelValue(value ?? string.Empty))
            {
                return $"{field}[{Quote(key)}]: value {Quote(value ?? string.Empty)} is not a valid label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)";
            }
        }

        return null;
    }

    /// <summary>An address of an EndpointSlice of <paramref name="addressType"/> (IPv4 or IPv6).</summary>
    public static string? SliceAddress(string address, string addressType, string field)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return $"{field} {Quote(address)} is not an IP address";
        }

        var family = addressType == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return ip.AddressFamily == family && !(ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6)
            ? null
            : $"{field} {Quote(address)} is not an {addressType} address, as the slice's addressType says";
    }

    public static bool IsDns1123Label(string value) =>
        value.Length is > 0 and <= 63 && IsAlphanumeric(value[0]) && IsAlphanumeric(value[^1]) && value.All(c => IsAlphanumeric(c) || c == '-');

    public static bool IsDns1035Label(string value) => IsDns1123Label(value) && value[0] is >= 'a' and <= 'z';

    public static bool IsDns1123Subdomain(string value) =>
        value.Length is > 0 and <= 253 && value.Split('.').All(IsDns1123Label);

    /// <summary>Quotes client text for a message: at most 64 characters.</summary>
    public static string Quote(string value) => "'" + (value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…")) + "'";

    private static string? LabelKey(string key)
    {
        var slash = key.IndexOf('/');
        var prefix = slash >= 0 ? key[..slash] : null;
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        if (prefix is not null && !IsDns1123Subdomain(prefix))
        {
            return "has a prefix that is not a DNS subdomain";
        }

        return IsQualifiedNamePart(name) ? null : "is not a valid label key (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)";
    }

    private static bool IsLabelValue(string value) => value.Length == 0 || IsQualifiedNamePart(value);

    private static bool IsQualifiedNamePart(string value) =>
        value.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]) &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
