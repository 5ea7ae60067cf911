using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// The proxy.istio.io/config annotation: YAML (or JSON) fields of Istio 1.10's mesh ProxyConfig that
/// override the mesh defaults for this pod. istiod 1.10 renders the sidecar with them (concurrency,
/// interception mode, status port, holdApplicationUntilProxyStarts, proxyMetadata) and pilot-agent
/// applies the annotation again when it starts. Field names may be camelCase or the proto's
/// snake_case; values are type-checked and validated as Istio's ValidateProxyConfig does.
/// </summary>
public static partial class ProxyConfigAnnotation
{
    private enum Kind { String, HostPort, Duration, WholeSecondsDuration, Port, PortOrZero, NonNegativeInt, Bool, StringMap, StringList, Object, InterceptionMode, AuthPolicy }

    private static readonly Dictionary<string, Kind> Fields = new(StringComparer.Ordinal)
    {
        ["configPath"] = Kind.String,
        ["binaryPath"] = Kind.String,
        ["serviceCluster"] = Kind.String,
        ["drainDuration"] = Kind.WholeSecondsDuration,
        ["parentShutdownDuration"] = Kind.WholeSecondsDuration,
        ["discoveryAddress"] = Kind.HostPort,
        ["discoveryRefreshDelay"] = Kind.Duration,
        ["zipkinAddress"] = Kind.String,
        ["statsdUdpAddress"] = Kind.HostPort,
        ["envoyMetricsServiceAddress"] = Kind.HostPort,
        ["proxyAdminPort"] = Kind.Port,
        ["availabilityZone"] = Kind.String,
        ["controlPlaneAuthPolicy"] = Kind.AuthPolicy,
        ["customConfigFile"] = Kind.String,
        ["statNameLength"] = Kind.NonNegativeInt,
        ["concurrency"] = Kind.NonNegativeInt,
        ["proxyBootstrapTemplatePath"] = Kind.String,
        ["interceptionMode"] = Kind.InterceptionMode,
        ["tracing"] = Kind.Object,
        ["sds"] = Kind.Object,
        ["envoyAccessLogService"] = Kind.Object,
        ["envoyMetricsService"] = Kind.Object,
        ["proxyMetadata"] = Kind.StringMap,
        ["statusPort"] = Kind.PortOrZero,
        ["extraStatTags"] = Kind.StringList,
        ["gatewayTopology"] = Kind.Object,
        ["terminationDrainDuration"] = Kind.Duration,
        ["meshId"] = Kind.String,
        ["readinessProbe"] = Kind.Object,
        ["proxyStatsMatcher"] = Kind.Object,
        ["holdApplicationUntilProxyStarts"] = Kind.Bool,
        ["caCertificatesPem"] = Kind.StringList,
    };

    /// <summary>Istio's mesh defaults, against which drain and parent shutdown are compared.</summary>
    private static readonly TimeSpan DefaultDrain = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan DefaultParentShutdown = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The annotation's fields, camelCase, each valid; null when the annotation is invalid (the reasons
    /// are in <paramref name="problems"/>). Fields Istio 1.10's ProxyConfig does not have are left out with a warning.
    /// </summary>
    public static JsonObject? Parse(string value, AnnotationProblems problems)
    {
        const string key = SidecarAnnotations.ProxyConfig;
        JsonNode? document;
        try
        {
            document = YamlJson.Parse(value);
        }
        catch (FormatException e)
        {
            problems.Invalid(key, value, e.Message);
            return null;
        }

        if (document is null)
        {
            return [];
        }

        if (document is not JsonObject fields)
        {
            problems.Invalid(key, value, "expected a mapping of ProxyConfig fields");
            return null;
        }

        var result = new JsonObject();
        var valid = true;
        foreach (var (rawName, field) in fields)
        {
            var name = CamelCase(rawName);
            if (!Fields.TryGetValue(name, out var kind))
            {
                problems.Warn(key, $"field '{AnnotationValues.Shown(rawName)}' is not in Istio 1.10's ProxyConfig and is ignored");
                continue;
            }

            if (result.ContainsKey(name))
            {
                problems.Invalid(key, value, $"field {name} is given twice");
                valid = false;
                continue;
            }

            if (field is null)
            {
                continue;
            }

            if (kind == Kind.AuthPolicy && String(field) == "MUTUAL_TLS")
            {
                problems.Unsupported(key, value, "controlPlaneAuthPolicy MUTUAL_TLS needs a TLS control plane; the xds-server serves plaintext ADS (NONE)");
                valid = false;
                continue;
            }

            if (Check(name, kind, field) is { } problem)
            {
                problems.Invalid(key, value, $"{name}: {problem}");
                valid = false;
                continue;
            }

            // Protobuf JSON also takes integers as strings; pass them on as numbers.
            result[name] = kind is Kind.Port or Kind.PortOrZero or Kind.NonNegativeInt ? JsonValue.Create(Integer(field)!.Value) : field.DeepClone();
        }

        if (valid && DrainProblem(result) is { } drain)
        {
            problems.Invalid(key, value, drain);
            valid = false;
        }

        return valid ? result : null;
    }

    /// <summary>A duration string as protobuf's JSON mapping writes it: seconds with an "s", e.g. "5s" or "1.5s".</summary>
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = default;
        return DurationPattern().IsMatch(value) &&
            decimal.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) &&
            seconds <= (decimal)TimeSpan.MaxValue.TotalSeconds &&
            (duration = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond))) >= TimeSpan.Zero;
    }

    private static string? Check(string name, Kind kind, JsonNode field)
    {
        switch (kind)
        {
            case Kind.String:
                return String(field) is null ? "expected a string" : null;
            case Kind.HostPort:
                return String(field) is { } address && AnnotationValues.IsHostPort(address) ? null : "expected host:port";
            case Kind.Duration:
                return String(field) is { } d && TryParseDuration(d, out var duration) && duration >= TimeSpan.FromMilliseconds(1)
                    ? null : "expected a duration in seconds such as \"5s\" (at least 1ms)";
            case Kind.WholeSecondsDuration:
                return String(field) is { } w && TryParseDuration(w, out var whole) && whole >= TimeSpan.FromSeconds(1) && whole.Ticks % TimeSpan.TicksPerSecond == 0
                    ? null : "expected whole seconds such as \"45s\"";
            case Kind.Port:
                return Integer(field) is >= 1 and <= 65535 ? null : "expected a port (1-65535)";
            case Kind.PortOrZero:
                return Integer(field) is >= 0 and <= 65535 ? null : "expected a port (0-65535)";
            case Kind.NonNegativeInt:
                return Integer(field) is >= 0 and <= int.MaxValue ? null : "expected a whole number of at least 0";
            case Kind.Bool:
                return field.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : "expected true or false";
            case Kind.StringMap:
                if (field is not JsonObject map || map.Any(e => String(e.Value) is null))
                {
                    return "expected a mapping of names to string values";
                }

                return name == "proxyMetadata" && map.Select(e => e.Key).FirstOrDefault(k => !AnnotationValues.IsEnvName(k)) is { } bad
                    ? $"'{AnnotationValues.Shown(bad)}' is not an environment variable name"
                    : null;
            case Kind.StringList:
                return field is JsonArray list && list.All(e => e is not null && String(e) is not null) ? null : "expected a list of strings";
            case Kind.Object:
                return field is JsonObject ? null : "expected a mapping";
            case Kind.InterceptionMode:
                return String(field) is "REDIRECT" or "TPROXY" ? null : "expected REDIRECT or TPROXY";
            default:
                return String(field) == "NONE" ? null : "expected NONE or MUTUAL_TLS";
        }
    }

    /// <summary>Istio's ValidateParentAndDrain: the parent shuts down strictly after the drain.</summary>
    private static string? DrainProblem(JsonObject fields)
    {
        var drain = fields["drainDuration"] is { } d && TryParseDuration(d.GetValue<string>(), out var dv) ? dv : DefaultDrain;
        var parent = fields["parentShutdownDuration"] is { } p && TryParseDuration(p.GetValue<string>(), out var pv) ? pv : DefaultParentShutdown;
        return parent > drain ? null : $"parentShutdownDuration {parent.TotalSeconds}s must be longer than drainDuration {drain.TotalSeconds}s";
    }

    private static string? String(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static long? Integer(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Number when node.AsValue().TryGetValue<long>(out var value) => value,
        JsonValueKind.Number when node.AsValue().TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) < long.MaxValue => (long)real,
        JsonValueKind.String when long.TryParse(node.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var text) => text,
        _ => null,
    };

    /// <summary>Protobuf JSON accepts a field's proto name (snake_case) as well as its JSON name.</summary>
    private static string CamelCase(string name)
    {
        if (!name.Contains('_'))
        {
            return name;
        }

        var parts = name.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]{1,9})?s$")]
    private static partial Regex DurationPattern();
}
