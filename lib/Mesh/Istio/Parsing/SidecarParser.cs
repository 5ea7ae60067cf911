using System.Globalization;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Reads a Sidecar spec and applies Istio 1.10's ValidateSidecar.</summary>
public static class SidecarParser
{
    public static IstioParseResult<Sidecar> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    private static Sidecar Read(FieldReader r)
    {
        var sidecar = new Sidecar(
            r.Message("workloadSelector", CommonParsers.WorkloadSelector),
            r.Messages("ingress", Ingress),
            r.Messages("egress", Egress),
            r.Message("outboundTrafficPolicy", OutboundPolicy));
        if (r.CountOf("ingress") == 0 && r.CountOf("egress") == 0 && !r.Has("outboundTrafficPolicy"))
        {
            r.Error("sidecar: empty configuration provided");
        }

        var ports = new HashSet<uint>();
        for (var i = 0; i < sidecar.Ingress.Count; i++)
        {
            if (!ports.Add(sidecar.Ingress[i].Port.Number))
            {
                r.Error($"ingress[{i}].port.number", "sidecar: ports on IP bound listeners must be unique");
            }
        }

        ports.Clear();
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        var catchAllSeen = false;
        for (var i = 0; i < sidecar.Egress.Count; i++)
        {
            var egress = sidecar.Egress[i];
            if (egress.Port is null)
            {
                if (catchAllSeen)
                {
                    r.Error($"egress[{i}]", "sidecar: egress can have only one listener with empty port");
                }
                else if (i == sidecar.Egress.Count - 1)
                {
                    catchAllSeen = true;
                }
                else
                {
                    r.Error($"egress[{i}]", "sidecar: the egress listener with empty port should be the last listener in the list");
                }
            }
            else if (egress.Port.Number == 0)
            {
                if (!sockets.Add(egress.Bind ?? string.Empty))
                {
                    r.Error($"egress[{i}].bind", "sidecar: unix domain socket values for listeners must be unique");
                }
            }
            else if (!ports.Add(egress.Port.Number))
            {
                r.Error($"egress[{i}].port.number", "sidecar: ports on IP bound listeners must be unique");
            }
        }

        return sidecar;
    }

    private static IstioIngressListener Ingress(FieldReader r)
    {
        var port = r.Message("port", CommonParsers.Port);
        var listener = new IstioIngressListener(port ?? new Port(0, string.Empty, string.Empty, 0), r.String("bind"), r.Enum("captureMode", CaptureMode.Default), r.RequiredString("defaultEndpoint"));
        if (port is null)
        {
            r.Error("port", "sidecar: port is required for ingress listeners");
            return listener;
        }

        CheckPort(r, port, listener.Bind);
        var endpoint = listener.DefaultEndpoint;
        if (endpoint.Length == 0)
        {
            return listener;
        }

        if (endpoint.StartsWith(IstioValidation.UnixAddressPrefix, StringComparison.Ordinal))
        {
            if (IstioValidation.UnixAddress(endpoint[IstioValidation.UnixAddressPrefix.Length..]) is { } error)
            {
                r.Error("defaultEndpoint", error);
            }

            return listener;
        }

        var parts = endpoint.Split(':');
        if (parts.Length < 2 || (parts[0].Length > 0 && parts[0] is not ("127.0.0.1" or "0.0.0.0")))
        {
            r.Error("defaultEndpoint", "sidecar: defaultEndpoint must be of form 127.0.0.1:<port> or 0.0.0.0:<port>");
        }

        if (parts.Length >= 2)
        {
            if (!int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                r.Error("defaultEndpoint", $"sidecar: defaultEndpoint port ({SpecReader.Quote(parts[1])}) is not a number");
            }
            else if (IstioValidation.Port(number) is { } error)
            {
                r.Error("defaultEndpoint", error);
            }
        }

        return listener;
    }

    private static IstioEgressListener Egress(FieldReader r)
    {
        var listener = new IstioEgressListener(r.Message("port", CommonParsers.Port), r.String("bind"), r.Enum("captureMode", CaptureMode.Default), r.Strings("hosts"));
        if (listener.Port is { } port)
        {
            if (port.Number == 0)
            {
                if (IstioValidation.Protocol(port.Protocol) is { } protocolError)
                {
                    r.Error("port.protocol", protocolError);
                }

                if (port.Name.Length > 0 && IstioValidation.PortName(port.Name) is { } nameError)
                {
                    r.Error("port.name", nameError);
                }

                var bind = listener.Bind ?? string.Empty;
                if (!bind.StartsWith(IstioValidation.UnixAddressPrefix, StringComparison.Ordinal))
                {
                    r.Error("bind", "sidecar: ports with 0 value must have a unix domain socket bind address");
                }
                else if (IstioValidation.UnixAddress(bind[IstioValidation.UnixAddressPrefix.Length..]) is { } error)
                {
                    r.Error("bind", error);
                }

                if (listener.CaptureMode is not (CaptureMode.Default or CaptureMode.None))
                {
                    r.Error("captureMode", "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
                }
            }
            else
            {
                CheckPort(r, port, listener.Bind);
            }
        }

        if (listener.Hosts.IsEmpty)
        {
            r.Error("hosts", "sidecar: egress listener must contain at least one host");
        }

        for (var i = 0; i < listener.Hosts.Count; i++)
        {
            foreach (var error in GatewayParser.NamespacedHost(listener.Hosts[i], isGateway: false))
            {
                r.Error($"hosts[{i}]", error);
            }
        }

        return listener;
    }

    private static void CheckPort(FieldReader r, Port port, string? bind)
    {
        if (port.Name.Length > 0 && IstioValidation.PortName(port.Name) is { } nameError)
        {
            r.Error("port.name", nameError);
        }

        if (IstioValidation.Protocol(port.Protocol) is { } protocolError)
        {
            r.Error("port.protocol", protocolError);
        }

        if (IstioValidation.Port(port.Number) is { } numberError)
        {
            r.Error("port.number", numberError);
        }

        if (!string.IsNullOrEmpty(bind) && IstioValidation.IpAddress(bind) is { } bindError)
        {
            r.Error("bind", bindError);
        }
    }

    private static OutboundTrafficPolicy OutboundPolicy(FieldReader r)
    {
        var policy = new OutboundTrafficPolicy(r.Enum("mode", OutboundTrafficPolicyMode.RegistryOnly), r.Message("egressProxy", CommonParsers.Destination));
        if (policy.EgressProxy is { } proxy)
        {
            if (policy.Mode != OutboundTrafficPolicyMode.AllowAny)
            {
                r.Error("egressProxy", "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
                return policy;
            }

            if (IstioValidation.Fqdn(proxy.Host) is { } error)
            {
                r.Error("egressProxy.host", error);
            }

            if (proxy.Port is null)
            {
                r.Error("egressProxy.port", "sidecar: egress_proxy port must be non-nil");
            }
        }

        return policy;
    }
}
