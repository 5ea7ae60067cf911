using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Readers (with Istio 1.10's checks) of the messages several kinds share.</summary>
internal static class CommonParsers
{
    public static Percent? Percent(FieldReader r, string field)
    {
        var percent = r.Message(field, p => new Percent(p.Double("value")));
        if (percent is not null && IstioValidation.Percentage(percent.Value) is { } error)
        {
            r.Error(field, error);
        }

        return percent;
    }

    public static PortSelector PortSelector(FieldReader r) => new(r.UInt32("number"));

    /// <summary>A Destination, checked as Istio's validateDestination: host (not "*"), subset name, port.</summary>
    public static Destination Destination(FieldReader r)
    {
        var host = r.RequiredString("host");
        if (host == "*")
        {
            r.Error("host", "invalid destination host *");
        }
        else if (IstioValidation.WildcardDomain(host) is { } error)
        {
            r.Error("host", error);
        }

        var subset = r.String("subset");
        if (subset is { Length: > 0 } && IstioValidation.SubsetName(subset) is { } subsetError)
        {
            r.Error("subset", subsetError);
        }

        var port = r.Message("port", PortSelector);
        if (port is not null && IstioValidation.Port(port.Number) is { } portError)
        {
            r.Error("port.number", portError);
        }

        return new Destination(host, string.IsNullOrEmpty(subset) ? null : subset, port);
    }

    /// <summary>A StringMatch oneof: at most one of exact, prefix, regex (a regex must be valid RE2 where <paramref name="checkRegex"/>).</summary>
    public static StringMatch? StringMatch(FieldReader r, bool checkRegex)
    {
        var set = new List<StringMatch>();
        foreach (var (field, kind) in new[] { ("exact", StringMatchKind.Exact), ("prefix", StringMatchKind.Prefix), ("regex", StringMatchKind.Regex) })
        {
            if (r.String(field) is { } value)
            {
                set.Add(new StringMatch(kind, value));
            }
        }

        if (set.Count > 1)
        {
            r.Error("only one of exact, prefix and regex may be set");
            return null;
        }

        if (set.Count == 0)
        {
            return new StringMatch(StringMatchKind.Unset, string.Empty);
        }

        if (checkRegex && set[0].Kind == StringMatchKind.Regex && Re2Syntax.Check(set[0].Value) is { } error)
        {
            r.Error("regex", $"{error}; Istio uses RE2 style regex-based match");
        }

        return set[0];
    }

    public static WorkloadSelector WorkloadSelector(FieldReader r)
    {
        var labels = r.StringMap("labels");
        foreach (var (key, value) in labels)
        {
            var where = $"labels[{SpecReader.Quote(key)}]";
            if (key.Length == 0)
            {
                r.Error(where, "empty key is not supported in selector");
            }

            if (key.Contains('*', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal))
            {
                r.Error(where, "wildcard is not supported in selector");
            }
        }

        return new WorkloadSelector(labels);
    }

    /// <summary>A Port as written; each kind checks it its own way.</summary>
    public static Port Port(FieldReader r) =>
        new(r.UInt32("number"), r.RequiredString("protocol"), r.RequiredString("name"), r.UInt32("targetPort"));

    public static void CheckLabels(FieldReader r, string field, ValueMap<string> labels)
    {
        foreach (var error in IstioValidation.LabelSet(labels))
        {
            r.Error(field, error);
        }
    }

    public static void CheckExportTo(FieldReader r, ValueList<string> exportTo, bool isServiceEntry)
    {
        foreach (var error in IstioValidation.ExportTo(exportTo, r.Spec.Namespace, isServiceEntry))
        {
            r.Error("exportTo", error);
        }
    }

    /// <summary>
    /// Istio's validateGatewayNames, including its quirk: checking stops after the first name
    /// without a '/' (e.g. "mesh"), so later entries are not checked.
    /// </summary>
    public static void CheckGatewayNames(FieldReader r, string field, ValueList<string> gateways)
    {
        for (var i = 0; i < gateways.Count; i++)
        {
            foreach (var error in IstioValidation.GatewayName(gateways[i]))
            {
                r.Error($"{field}[{i}]", error);
            }

            if (!gateways[i].Contains('/', StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Istio 1.10's checks of the ejection fields a DestinationRule's outlierDetection and an
    /// InterfaceOutlierDetection's interface share: interval and baseEjectionTime are valid durations,
    /// maxEjectionPercent and minHealthPercent are percentages (0-100).
    /// </summary>
    public static void CheckEjection(FieldReader r, TimeSpan? interval, TimeSpan? baseEjectionTime, int maxEjectionPercent, int minHealthPercent)
    {
        CheckDuration(r, "interval", interval);
        CheckDuration(r, "baseEjectionTime", baseEjectionTime);
        foreach (var (field, value) in new[] { ("maxEjectionPercent", maxEjectionPercent), ("minHealthPercent", minHealthPercent) })
        {
            if (IstioValidation.Percent(value) is { } error)
            {
                r.Error(field, error);
            }
        }
    }

    public static void CheckDuration(FieldReader r, string field, TimeSpan? duration)
    {
        if (duration is { } value && IstioValidation.Duration(value) is { } error)
        {
            r.Error(field, error);
        }
    }

    /// <summary>Request headers may set :authority (and Host); others may not touch pseudo-headers or Host.</summary>
    public static Headers Headers(FieldReader r, bool routeLevel) => new(
        r.Message("request", o => Operations(o, routeLevel)),
        r.Message("response", o => Operations(o, false)));

    private static HeaderOperations Operations(FieldReader r, bool authorityAllowed)
    {
        var set = r.StringMap("set");
        var add = r.StringMap("add");
        var remove = r.Strings("remove");
        foreach (var (field, map) in new[] { ("set", set), ("add", add) })
        {
            foreach (var (name, value) in map)
            {
                var where = $"{field}[{SpecReader.Quote(name)}]";
                if ((authorityAllowed ? IstioValidation.RequestHeaderToSet(name) : IstioValidation.HeaderToChange(name)) is { } error)
                {
                    r.Error(where, error);
                }

                if (IstioValidation.HeaderValue(value) is { } valueError)
                {
                    r.Error(where, valueError);
                }
            }
        }

        for (var i = 0; i < remove.Count; i++)
        {
            if (IstioValidation.HeaderToChange(remove[i]) is { } error)
            {
                r.Error($"remove[{i}]", error);
            }
        }

        return new HeaderOperations(set, add, remove);
    }
}
