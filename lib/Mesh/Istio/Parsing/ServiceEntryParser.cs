using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Reads a ServiceEntry spec and applies Istio 1.10's ValidateServiceEntry.</summary>
public static class ServiceEntryParser
{
    public static IstioParseResult<ServiceEntry> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    private static ServiceEntry Read(FieldReader r)
    {
        var entry = new ServiceEntry(
            r.Strings("hosts"),
            r.Strings("addresses"),
            r.Messages("ports", CommonParsers.Port),
            r.Enum("location", ServiceEntryLocation.MeshExternal),
            r.Enum("resolution", ServiceEntryResolution.None),
            r.Messages("endpoints", e => WorkloadEntryParser.Read(e, standalone: false)),
            r.Message("workloadSelector", CommonParsers.WorkloadSelector),
            r.Strings("exportTo"),
            r.Strings("subjectAltNames"));

        if (entry.WorkloadSelector is not null && r.Has("endpoints"))
        {
            r.Error("workloadSelector", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
        }

        if (entry.Hosts.IsEmpty)
        {
            r.Error("hosts", "service entry must have at least one host");
        }

        for (var i = 0; i < entry.Hosts.Count; i++)
        {
            if (entry.Hosts[i] == "*")
            {
                r.Error($"hosts[{i}]", "invalid host *");
            }
            else if (IstioValidation.WildcardDomain(entry.Hosts[i]) is { } error)
            {
                r.Error($"hosts[{i}]", error);
            }
        }

        var cidr = false;
        for (var i = 0; i < entry.Addresses.Count; i++)
        {
            cidr |= entry.Addresses[i].Contains('/', StringComparison.Ordinal);
            if (IstioValidation.IpSubnet(entry.Addresses[i]) is { } error)
            {
                r.Error($"addresses[{i}]", error);
            }
        }

        if (cidr && entry.Resolution is not (ServiceEntryResolution.None or ServiceEntryResolution.Static))
        {
            r.Error("addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<uint>();
        for (var i = 0; i < entry.Ports.Count; i++)
        {
            var port = entry.Ports[i];
            if (!names.Add(port.Name))
            {
                r.Error($"ports[{i}].name", $"service entry port name {SpecReader.Quote(port.Name)} already defined");
            }

            if (!numbers.Add(port.Number))
            {
                r.Error($"ports[{i}].number", $"service entry port {port.Number} already defined");
            }

            foreach (var (field, error) in new[] { ("name", IstioValidation.PortName(port.Name)), ("protocol", IstioValidation.Protocol(port.Protocol)), ("number", IstioValidation.Port(port.Number)) })
            {
                if (error is not null)
                {
                    r.Error($"ports[{i}].{field}", error);
                }
            }
        }

        CheckEndpoints(r, entry, names);
        if (entry.Resolution != ServiceEntryResolution.None && entry.Hosts.Count > 1 &&
            entry.Ports.Any(p => !IsHttp(p.Protocol) && !IsTls(p.Protocol)))
        {
            r.Error("hosts", "multiple hosts provided with non-HTTP, non-TLS ports");
        }

        CommonParsers.CheckExportTo(r, entry.ExportTo, isServiceEntry: true);
        return entry;
    }

    private static void CheckEndpoints(FieldReader r, ServiceEntry entry, HashSet<string> portNames)
    {
        switch (entry.Resolution)
        {
            case ServiceEntryResolution.None:
                if (!entry.Endpoints.IsEmpty)
                {
                    r.Error("endpoints", "no endpoints should be provided for resolution type none");
                }

                break;

            case ServiceEntryResolution.Static:
                var unix = false;
                for (var i = 0; i < entry.Endpoints.Count; i++)
                {
                    var endpoint = entry.Endpoints[i];
                    var at = $"endpoints[{i}]";
                    if (endpoint.Address.StartsWith(IstioValidation.UnixAddressPrefix, StringComparison.Ordinal))
                    {
                        unix = true;
                        if (IstioValidation.UnixAddress(endpoint.Address[IstioValidation.UnixAddressPrefix.Length..]) is { } error)
                        {
                            r.Error($"{at}.address", error);
                        }

                        if (!endpoint.Ports.IsEmpty)
                        {
                            r.Error($"{at}.ports", $"unix endpoint {SpecReader.Quote(endpoint.Address)} must not include ports");
                        }
                    }
                    else
                    {
                        if (IstioValidation.IpAddress(endpoint.Address) is { } error)
                        {
                            r.Error($"{at}.address", error);
                        }

                        CheckEndpointPortNames(r, at, endpoint, portNames);
                    }

                    CommonParsers.CheckLabels(r, $"{at}.labels", endpoint.Labels);
                }

                if (unix && entry.Ports.Count != 1)
                {
                    r.Error("ports", "exactly 1 service port required for unix endpoints");
                }

                break;

            case ServiceEntryResolution.Dns:
                if (entry.Endpoints.IsEmpty)
                {
                    for (var i = 0; i < entry.Hosts.Count; i++)
                    {
                        if (IstioValidation.Fqdn(entry.Hosts[i]) is not null)
                        {
                            r.Error($"hosts[{i}]", "hosts must be FQDN if no endpoints are provided for resolution mode DNS");
                        }
                    }
                }

                for (var i = 0; i < entry.Endpoints.Count; i++)
                {
                    var endpoint = entry.Endpoints[i];
                    var at = $"endpoints[{i}]";
                    if (!IstioValidation.IsIpAddress(endpoint.Address) && IstioValidation.Fqdn(endpoint.Address) is not null)
                    {
                        r.Error($"{at}.address", $"endpoint address {SpecReader.Quote(endpoint.Address)} is not a valid FQDN or an IP address");
                    }

                    CommonParsers.CheckLabels(r, $"{at}.labels", endpoint.Labels);
                    CheckEndpointPortNames(r, at, endpoint, portNames);
                    foreach (var (name, port) in endpoint.Ports)
                    {
                        foreach (var error in new[] { IstioValidation.PortName(name), IstioValidation.Port(port) })
                        {
                            if (error is not null)
                            {
                                r.Error($"{at}.ports[{SpecReader.Quote(name)}]", error);
                            }
                        }
                    }
                }

                if (!entry.Addresses.IsEmpty && entry.Hosts.Count > 1 && entry.Ports.Any(p => IsTcp(p.Protocol)))
                {
                    r.Spec.Warning(r.At("hosts"), "service entry can not have more than one host specified simultaneously with address and tcp port");
                }

                break;
        }
    }

    private static void CheckEndpointPortNames(FieldReader r, string at, WorkloadEntry endpoint, HashSet<string> portNames)
    {
        foreach (var (name, port) in endpoint.Ports)
        {
            if (!portNames.Contains(name))
            {
                r.Error($"{at}.ports[{SpecReader.Quote(name)}]", $"endpoint port {port} is not defined by the service entry");
            }
        }
    }

    /// <summary>Istio's protocol IsHTTP: HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-WEB.</summary>
    internal static bool IsHttp(string protocol) =>
        protocol.ToUpperInvariant() is "HTTP" or "HTTP2" or "HTTP_PROXY" or "GRPC" or "GRPC-WEB";

    /// <summary>Istio's protocol IsTLS: HTTPS, TLS.</summary>
    internal static bool IsTls(string protocol) => protocol.ToUpperInvariant() is "HTTPS" or "TLS";

    /// <summary>Istio's protocol IsTCP: TCP, HTTPS, TLS, MONGO, REDIS, MYSQL, THRIFT.</summary>
    private static bool IsTcp(string protocol) =>
        protocol.ToUpperInvariant() is "TCP" or "HTTPS" or "TLS" or "MONGO" or "REDIS" or "MYSQL" or "THRIFT";
}
