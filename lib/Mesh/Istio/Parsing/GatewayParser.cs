using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Reads a Gateway spec and applies Istio 1.10's ValidateGateway (the object's name must be a DNS label).</summary>
public static class GatewayParser
{
    public static IstioParseResult<Gateway> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    /// <summary>
    /// Istio's validateNamespaceSlashWildcardHostname: ns/host (for gateways ns is "*", "." or a
    /// DNS label; for sidecars also "~"), or for gateways a bare host; hosts are FQDNs or wildcards
    /// (gateways also take IPs), never short names.
    /// </summary>
    internal static IEnumerable<string> NamespacedHost(string hostname, bool isGateway)
    {
        var slash = hostname.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (isGateway)
            {
                foreach (var error in HostPart(hostname, isGateway))
                {
                    yield return error;
                }
            }
            else
            {
                yield return "host must be of form namespace/dnsName";
            }

            yield break;
        }

        var ns = hostname[..slash];
        var host = hostname[(slash + 1)..];
        if (ns.Length == 0 || host.Length == 0)
        {
            yield return "config namespace and dnsName in host entry cannot be empty";
        }

        if (ns is not ("*" or ".") && !(ns == "~" && !isGateway) && !IstioValidation.IsDns1123Label(ns))
        {
            yield return $"invalid namespace value {SpecReader.Quote(ns)} in {(isGateway ? "gateway" : "sidecar")}";
        }

        foreach (var error in HostPart(host, isGateway))
        {
            yield return error;
        }
    }

    private static IEnumerable<string> HostPart(string host, bool isGateway)
    {
        if (host != "*" && !host.Contains('.', StringComparison.Ordinal))
        {
            yield return "short names (non FQDN) are not allowed";
        }

        if (IstioValidation.WildcardDomain(host) is { } error && !(isGateway && IstioValidation.IsIpAddress(host)))
        {
            yield return error;
        }
    }

    private static Gateway Read(FieldReader r)
    {
        var gateway = new Gateway(r.Messages("servers", Server), r.StringMap("selector"));
        if (!IstioValidation.IsDns1123Label(r.Spec.Name))
        {
            r.Spec.Error("metadata.name", $"invalid gateway name: {SpecReader.Quote(r.Spec.Name)}");
        }

        if (r.CountOf("servers") == 0)
        {
            r.Error("servers", "gateway must have at least one server");
        }

        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < gateway.Servers.Count; i++)
        {
            var server = gateway.Servers[i];
            if (!portNames.Add(server.Port.Name))
            {
                r.Error($"servers[{i}].port.name", $"port names in servers must be unique: duplicate name {SpecReader.Quote(server.Port.Name)}");
            }

            if (!ServiceEntryParser.IsHttp(server.Port.Protocol) && server.Tls?.HttpsRedirect == true)
            {
                r.Spec.Warning(r.At($"servers[{i}].tls.httpsRedirect"), "tls.httpsRedirect should only be used with http servers");
            }
        }

        return gateway;
    }

    private static Server Server(FieldReader r)
    {
        var port = r.Message("port", CommonParsers.Port);
        var server = new Server(
            port ?? new Port(0, string.Empty, string.Empty, 0),
            r.String("bind"),
            r.Strings("hosts"),
            r.Message("tls", Tls),
            r.String("defaultEndpoint"),
            r.String("name"));
        if (server.Hosts.IsEmpty)
        {
            r.Error("hosts", "server config must contain at least one host");
        }

        for (var i = 0; i < server.Hosts.Count; i++)
        {
            foreach (var error in NamespacedHost(server.Hosts[i], isGateway: true))
            {
                r.Error($"hosts[{i}]", error);
            }
        }

        var portValid = port is not null;
        if (port is null)
        {
            r.Error("port", "port is required");
        }
        else
        {
            if (!IstioValidation.IsKnownProtocol(port.Protocol))
            {
                r.Error("port.protocol", $"invalid protocol {SpecReader.Quote(port.Protocol)}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
                portValid = false;
            }

            if (port.Number > 0 && IstioValidation.Port(port.Number) is { } numberError)
            {
                r.Error("port.number", numberError);
                portValid = false;
            }

            if (port.Name.Length == 0)
            {
                r.Error("port.name", "port name must be set");
                portValid = false;
            }
        }

        CheckBind(r, server);
        if (portValid && port is not null)
        {
            var tlsProtocol = ServiceEntryParser.IsTls(port.Protocol);
            if (tlsProtocol && server.Tls is null)
            {
                r.Error("tls", "server must have TLS settings for HTTPS/TLS protocols");
            }
            else if (!tlsProtocol && server.Tls is { } tls)
            {
                if (!ServiceEntryParser.IsHttp(port.Protocol))
                {
                    r.Error("tls", "server cannot have TLS settings for non HTTPS/TLS ports");
                }
                else if (tls.Mode is not (ServerTlsMode.Passthrough or ServerTlsMode.AutoPassthrough) ||
                         !string.IsNullOrEmpty(tls.CaCertificates) || !string.IsNullOrEmpty(tls.PrivateKey) || !string.IsNullOrEmpty(tls.ServerCertificate))
                {
                    r.Error("tls", "server cannot have TLS settings for plain text HTTP ports");
                }
            }
        }

        return server;
    }

    private static void CheckBind(FieldReader r, Server server)
    {
        if (string.IsNullOrEmpty(server.Bind))
        {
            return;
        }

        if (server.Bind.StartsWith(IstioValidation.UnixAddressPrefix, StringComparison.Ordinal))
        {
            if (IstioValidation.UnixAddress(server.Bind[IstioValidation.UnixAddressPrefix.Length..]) is { } error)
            {
                r.Error("bind", error);
            }

            if (server.Port.Number != 0)
            {
                r.Error("port.number", "port number must be 0 for unix domain socket");
            }
        }
        else if (IstioValidation.IpAddress(server.Bind) is { } error)
        {
            r.Error("bind", error);
        }
    }

    private static ServerTlsSettings Tls(FieldReader r)
    {
        var tls = new ServerTlsSettings(
            r.Bool("httpsRedirect"),
            r.Enum("mode", ServerTlsMode.Passthrough),
            r.String("serverCertificate"),
            r.String("privateKey"),
            r.String("caCertificates"),
            r.String("credentialName"),
            r.Strings("subjectAltNames"),
            r.Strings("verifyCertificateSpki"),
            r.Strings("verifyCertificateHash"),
            r.Enum("minProtocolVersion", TlsProtocol.TlsAuto),
            r.Enum("maxProtocolVersion", TlsProtocol.TlsAuto),
            r.Strings("cipherSuites"));
        if (tls.Mode == ServerTlsMode.IstioMutual)
        {
            foreach (var (field, value, what) in new[] { ("serverCertificate", tls.ServerCertificate, "server certificate"), ("privateKey", tls.PrivateKey, "private key"), ("caCertificates", tls.CaCertificates, "CA bundle") })
            {
                if (!string.IsNullOrEmpty(value))
                {
                    r.Error(field, $"ISTIO_MUTUAL TLS cannot have associated {what}");
                }
            }

            return tls;
        }

        if (tls.Mode is ServerTlsMode.Simple or ServerTlsMode.Mutual && !string.IsNullOrEmpty(tls.CredentialName))
        {
            return tls;
        }

        if (tls.Mode is ServerTlsMode.Simple or ServerTlsMode.Mutual)
        {
            var mode = tls.Mode == ServerTlsMode.Simple ? "SIMPLE" : "MUTUAL";
            if (string.IsNullOrEmpty(tls.ServerCertificate))
            {
                r.Error("serverCertificate", $"{mode} TLS requires a server certificate");
            }

            if (string.IsNullOrEmpty(tls.PrivateKey))
            {
                r.Error("privateKey", $"{mode} TLS requires a private key");
            }

            if (tls.Mode == ServerTlsMode.Mutual && string.IsNullOrEmpty(tls.CaCertificates))
            {
                r.Error("caCertificates", "MUTUAL TLS requires a client CA bundle");
            }
        }

        return tls;
    }
}
