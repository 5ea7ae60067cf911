using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Ejection;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Reads the spec of a mesh.controlplane.io/v1alpha1 InterfaceOutlierDetection and checks it: a
/// host (never a wildcard), an optional port and subsets, and 1 to <see cref="MaxInterfaces"/>
/// interfaces with unique DNS-1123 names, each an HTTPMatchRequest read and checked as Istio 1.10
/// checks a VirtualService's (RE2 regexes, including withoutHeaders, which Envoy compiles too) with
/// at least one condition, and outlier settings as a DestinationRule's plus failurePercentage, with
/// at least one algorithm on. Errors carry field paths (<c>spec.interfaces[1].match.uri.regex: ...</c>).
/// </summary>
public static class InterfaceOutlierDetectionParser
{
    /// <summary>Interfaces per object at most: each multiplies the host's clusters and routes.</summary>
    public const int MaxInterfaces = 32;

    public static IstioParseResult<InterfaceOutlierDetection> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    private static InterfaceOutlierDetection Read(FieldReader r)
    {
        var spec = new InterfaceOutlierDetection(r.RequiredString("host"), r.UInt32("port"), r.Strings("subsets"), r.Messages("interfaces", Interface));
        if (spec.Host.Length == 0)
        {
            r.Error("host", "host is required");
        }
        else if (HostName.IsWildcard(spec.Host))
        {
            r.Error("host", "must name one host, not a wildcard: per-interface clusters are made for one service");
        }
        else if (IstioValidation.WildcardDomain(spec.Host) is { } hostError)
        {
            r.Error("host", hostError);
        }

        if (r.Has("port") && IstioValidation.Port(spec.Port) is { } portError)
        {
            r.Error("port", portError);
        }

        var subsets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Subsets.Count; i++)
        {
            if (IstioValidation.SubsetName(spec.Subsets[i]) is { } subsetError)
            {
                r.Error($"subsets[{i}]", subsetError);
            }
            else if (!subsets.Add(spec.Subsets[i]))
            {
                r.Error($"subsets[{i}]", $"subset {SpecReader.Quote(spec.Subsets[i])} is listed twice");
            }
        }

        var count = r.CountOf("interfaces");
        if (count == 0)
        {
            r.Error("interfaces", "at least one interface is required");
        }
        else if (count > MaxInterfaces)
        {
            r.Error("interfaces", $"{count} interfaces, more than the {MaxInterfaces} allowed");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Interfaces.Count; i++)
        {
            if (spec.Interfaces[i].Name.Length > 0 && !names.Add(spec.Interfaces[i].Name))
            {
                r.Error($"interfaces[{i}].name", $"interface {SpecReader.Quote(spec.Interfaces[i].Name)} is named twice");
            }
        }

        return spec;
    }

    private static OutlierInterface? Interface(FieldReader r)
    {
        var name = r.RequiredString("name");
        if (!Kubernetes.KubernetesNames.IsDns1123Label(name))
        {
            r.Error("name", name.Length == 0 ? "name is required" : $"{SpecReader.Quote(name)} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)");
        }

        var match = r.Message("match", Match);
        if (match is null && !r.Has("match"))
        {
            r.Error("match", "match is required: the requests of this interface");
        }

        var outlier = r.Message("outlierDetection", Outlier);
        if (outlier is null && !r.Has("outlierDetection"))
        {
            r.Error("outlierDetection", "outlierDetection is required");
        }

        return match is null || outlier is null ? null : new OutlierInterface(name, match, outlier);
    }

    private static HttpMatchRequest Match(FieldReader r)
    {
        var match = VirtualServiceParser.MatchRequest(r);
        VirtualServiceParser.CheckMatch(r, string.Empty, match, independent: true);
        foreach (var (header, value) in match.WithoutHeaders)
        {
            if (value is { Kind: StringMatchKind.Regex } && Re2Syntax.Check(value.Value) is { } error)
            {
                r.Error($"withoutHeaders[{SpecReader.Quote(header)}].regex", $"{error}; Istio uses RE2 style regex-based match");
            }
        }

        foreach (var (field, set) in new[]
                 {
                     ("port", match.Port != 0),
                     ("sourceLabels", !match.SourceLabels.IsEmpty),
                     ("sourceNamespace", !string.IsNullOrEmpty(match.SourceNamespace)),
                     ("gateways", !match.Gateways.IsEmpty),
                 })
        {
            if (set)
            {
                r.Error(field, field == "port"
                    ? "not supported in an interface match: set spec.port to choose the port"
                    : "not supported in an interface match: an interface is a kind of request, whoever sends it");
            }
        }

        if (match is { Uri: null, Scheme: null, Method: null, Authority: null } && match.Headers.IsEmpty && match.QueryParams.IsEmpty && match.WithoutHeaders.IsEmpty)
        {
            r.Error("an interface match needs at least one condition (uri, method, headers, ...); to eject for every request, use a DestinationRule's outlierDetection");
        }

        return match;
    }

    private static InterfaceOutlierSettings Outlier(FieldReader r)
    {
        var settings = new InterfaceOutlierSettings(
            r.OptionalUInt32("consecutive5xxErrors"),
            r.OptionalUInt32("consecutiveGatewayErrors"),
            r.Duration("interval"),
            r.Duration("baseEjectionTime"),
            r.Int32("maxEjectionPercent"),
            r.Int32("minHealthPercent"),
            r.Message("failurePercentage", FailurePercentage));
        CommonParsers.CheckEjection(r, settings.Interval, settings.BaseEjectionTime, settings.MaxEjectionPercent, settings.MinHealthPercent);

        if (r.Has("consecutiveErrors"))
        {
            r.Error("consecutiveErrors", "not supported (deprecated in Istio): use consecutive5xxErrors or consecutiveGatewayErrors");
        }

        if (settings is not ({ Consecutive5xxErrors: > 0 } or { ConsecutiveGatewayErrors: > 0 } or { FailurePercentage.EnforcingFailurePercentage: > 0 }) && !r.Spec.HasErrors)
        {
            r.Error("at least one of consecutive5xxErrors, consecutiveGatewayErrors (above 0) and failurePercentage (enforced above 0) is required: an algorithm left out is off");
        }

        return settings;
    }

    private static FailurePercentageEjection FailurePercentage(FieldReader r)
    {
        var failure = new FailurePercentageEjection(
            r.OptionalUInt32("threshold"),
            r.OptionalUInt32("minimumHosts"),
            r.OptionalUInt32("requestVolume"),
            r.OptionalUInt32("enforcingFailurePercentage") ?? 100);
        foreach (var (field, value) in new[] { ("threshold", failure.Threshold), ("enforcingFailurePercentage", (uint?)failure.EnforcingFailurePercentage) })
        {
            if (value is { } percent && IstioValidation.Percent(percent) is { } error)
            {
                r.Error(field, error);
            }
        }

        return failure;
    }
}
