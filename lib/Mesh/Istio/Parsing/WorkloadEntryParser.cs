using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Reads a WorkloadEntry spec and applies Istio 1.10's ValidateWorkloadEntry.</summary>
public static class WorkloadEntryParser
{
    public static IstioParseResult<WorkloadEntry> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, r => Read(r, standalone: true));

    /// <summary>
    /// A WorkloadEntry; <paramref name="standalone"/> applies the WorkloadEntry kind's checks (a
    /// ServiceEntry checks its endpoints by its resolution instead).
    /// </summary>
    internal static WorkloadEntry Read(FieldReader r, bool standalone)
    {
        var entry = new WorkloadEntry(
            r.RequiredString("address"),
            r.UInt32Map("ports"),
            r.StringMap("labels"),
            r.String("network"),
            r.String("locality"),
            r.UInt32("weight"),
            r.String("serviceAccount"));
        if (!standalone)
        {
            return entry;
        }

        if (entry.Address.Length == 0)
        {
            r.Error("address", "address must be set");
            return entry;
        }

        if (entry.Address.StartsWith(IstioValidation.UnixAddressPrefix, StringComparison.Ordinal))
        {
            if (IstioValidation.UnixAddress(entry.Address[IstioValidation.UnixAddressPrefix.Length..]) is { } error)
            {
                r.Error("address", error);
            }

            if (!entry.Ports.IsEmpty)
            {
                r.Error("ports", $"unix endpoint {SpecReader.Quote(entry.Address)} must not include ports");
            }
        }
        else if (!IstioValidation.IsIpAddress(entry.Address) && IstioValidation.Fqdn(entry.Address) is not null)
        {
            r.Error("address", $"endpoint address {SpecReader.Quote(entry.Address)} is not a valid FQDN or an IP address");
        }

        CommonParsers.CheckLabels(r, "labels", entry.Labels);
        CheckPorts(r, entry);
        return entry;
    }

    internal static void CheckPorts(FieldReader r, WorkloadEntry entry)
    {
        foreach (var (name, port) in entry.Ports)
        {
            var where = $"ports[{SpecReader.Quote(name)}]";
            if (IstioValidation.PortName(name) is { } nameError)
            {
                r.Error(where, nameError);
            }

            if (IstioValidation.Port(port) is { } portError)
            {
                r.Error(where, portError);
            }
        }
    }
}
