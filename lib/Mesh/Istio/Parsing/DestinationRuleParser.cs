using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Reads a DestinationRule spec and applies Istio 1.10's ValidateDestinationRule (destination rule
/// inheritance off, as PILOT_ENABLE_DESTINATION_RULE_INHERITANCE defaults: host is required).
/// </summary>
public static class DestinationRuleParser
{
    public static IstioParseResult<DestinationRule> Parse(System.Text.Json.JsonElement? spec, string objectNamespace, string objectName) =>
        new SpecReader(objectNamespace, objectName).Parse(spec, Read);

    /// <summary>A TrafficPolicy, checked as Istio's validateTrafficPolicy.</summary>
    internal static TrafficPolicy TrafficPolicy(FieldReader r)
    {
        var policy = new TrafficPolicy(
            r.Message("loadBalancer", LoadBalancer),
            r.Message("connectionPool", ConnectionPool),
            r.Message("outlierDetection", OutlierDetection),
            r.Message("tls", Tls),
            r.Messages("portLevelSettings", PortPolicy));
        if (policy is { LoadBalancer: null, ConnectionPool: null, OutlierDetection: null, Tls: null } && r.CountOf("portLevelSettings") == 0 && !r.Spec.HasErrors)
        {
            r.Error("traffic policy must have at least one field");
        }

        return policy;
    }

    private static DestinationRule Read(FieldReader r)
    {
        var rule = new DestinationRule(r.RequiredString("host"), r.Message("trafficPolicy", TrafficPolicy), r.Messages("subsets", Subset), r.Strings("exportTo"));
        if (IstioValidation.WildcardDomain(rule.Host) is { } error)
        {
            r.Error("host", error);
        }

        CommonParsers.CheckExportTo(r, rule.ExportTo, isServiceEntry: false);
        return rule;
    }

    private static Subset Subset(FieldReader r)
    {
        var subset = new Subset(r.RequiredString("name"), r.StringMap("labels"), r.Message("trafficPolicy", TrafficPolicy));
        if (IstioValidation.SubsetName(subset.Name) is { } error)
        {
            r.Error("name", error);
        }

        CommonParsers.CheckLabels(r, "labels", subset.Labels);
        return subset;
    }

    private static PortTrafficPolicy PortPolicy(FieldReader r)
    {
        var policy = new PortTrafficPolicy(
            r.Message("port", CommonParsers.PortSelector),
            r.Message("loadBalancer", LoadBalancer),
            r.Message("connectionPool", ConnectionPool),
            r.Message("outlierDetection", OutlierDetection),
            r.Message("tls", Tls));
        if (policy.Port is null)
        {
            r.Error("port", "portTrafficPolicy must have valid port");
        }

        if (policy is { LoadBalancer: null, ConnectionPool: null, OutlierDetection: null, Tls: null })
        {
            r.Error("port traffic policy must have at least one field");
        }

        return policy;
    }

    private static LoadBalancerSettings LoadBalancer(FieldReader r)
    {
        var settings = new LoadBalancerSettings(r.OptionalEnum<SimpleLb>("simple"), r.Message("consistentHash", ConsistentHash), r.Message("localityLbSetting", Locality));
        if (settings.Simple is not null && settings.ConsistentHash is not null)
        {
            r.Error("only one of simple and consistentHash may be set");
        }

        return settings;
    }

    private static ConsistentHashLb ConsistentHash(FieldReader r)
    {
        var hash = new ConsistentHashLb(
            r.String("httpHeaderName"),
            r.Message("httpCookie", Cookie),
            r.Bool("useSourceIp"),
            r.String("httpQueryParameterName"),
            r.UInt64("minimumRingSize"));
        var keys = (hash.HttpHeaderName is null ? 0 : 1) + (hash.HttpCookie is null ? 0 : 1) + (r.Has("useSourceIp") ? 1 : 0) + (hash.HttpQueryParameterName is null ? 0 : 1);
        if (keys > 1)
        {
            r.Error("only one of httpHeaderName, httpCookie, useSourceIp and httpQueryParameterName may be set");
        }

        return hash;
    }

    private static HttpCookie Cookie(FieldReader r)
    {
        var cookie = new HttpCookie(r.RequiredString("name"), r.String("path"), r.Duration("ttl"));
        if (cookie.Name.Length == 0)
        {
            r.Error("name", "name required for HttpCookie");
        }

        if (cookie.Ttl is null && !r.Has("ttl"))
        {
            r.Error("ttl", "ttl required for HttpCookie");
        }

        return cookie;
    }

    private static LocalityLoadBalancerSetting Locality(FieldReader r)
    {
        var setting = new LocalityLoadBalancerSetting(
            r.Messages("distribute", d => new LocalityDistribute(d.RequiredString("from"), d.UInt32Map("to"))),
            r.Messages("failover", f => new LocalityFailover(f.RequiredString("from"), f.RequiredString("to"))),
            r.OptionalBool("enabled"));
        if (!r.Spec.HasErrors && LocalitySettings.Check(setting) is { } error)
        {
            r.Error(error);
        }

        return setting;
    }

    private static ConnectionPoolSettings ConnectionPool(FieldReader r)
    {
        var pool = new ConnectionPoolSettings(r.Message("tcp", Tcp), r.Message("http", Http));
        if (pool is { Tcp: null, Http: null })
        {
            r.Error("connection pool must have at least one field");
        }

        return pool;
    }

    private static TcpSettings Tcp(FieldReader r)
    {
        var tcp = new TcpSettings(
            r.Int32("maxConnections"),
            r.Duration("connectTimeout"),
            r.Message("tcpKeepalive", k => new TcpKeepalive(k.UInt32("probes"), k.Duration("time"), k.Duration("interval"))));
        if (tcp.MaxConnections < 0)
        {
            r.Error("maxConnections", "max connections must be non-negative");
        }

        CommonParsers.CheckDuration(r, "connectTimeout", tcp.ConnectTimeout);
        return tcp;
    }

    private static HttpSettings Http(FieldReader r)
    {
        var http = new HttpSettings(
            r.Int32("http1MaxPendingRequests"),
            r.Int32("http2MaxRequests"),
            r.Int32("maxRequestsPerConnection"),
            r.Int32("maxRetries"),
            r.Duration("idleTimeout"),
            r.Enum("h2UpgradePolicy", H2UpgradePolicy.Default),
            r.Bool("useClientProtocol"));
        foreach (var (field, value, what) in new[]
                 {
                     ("http1MaxPendingRequests", http.Http1MaxPendingRequests, "http1 max pending requests"),
                     ("http2MaxRequests", http.Http2MaxRequests, "http2 max requests"),
                     ("maxRequestsPerConnection", http.MaxRequestsPerConnection, "max requests per connection"),
                     ("maxRetries", http.MaxRetries, "max retries"),
                 })
        {
            if (value < 0)
            {
                r.Error(field, $"{what} must be non-negative");
            }
        }

        CommonParsers.CheckDuration(r, "idleTimeout", http.IdleTimeout);
        if (http.H2UpgradePolicy == H2UpgradePolicy.Upgrade && http.UseClientProtocol)
        {
            r.Error("useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
        }

        return http;
    }

    private static OutlierDetection OutlierDetection(FieldReader r)
    {
        var outlier = new OutlierDetection(
            r.Int32("consecutiveErrors"),
            r.OptionalUInt32("consecutiveGatewayErrors"),
            r.OptionalUInt32("consecutive5xxErrors"),
            r.Duration("interval"),
            r.Duration("baseEjectionTime"),
            r.Int32("maxEjectionPercent"),
            r.Int32("minHealthPercent"));
        if (outlier.ConsecutiveErrors != 0)
        {
            r.Spec.Warning(r.At("consecutiveErrors"), "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead");
        }

        CommonParsers.CheckEjection(r, outlier.Interval, outlier.BaseEjectionTime, outlier.MaxEjectionPercent, outlier.MinHealthPercent);
        return outlier;
    }

    private static ClientTlsSettings Tls(FieldReader r)
    {
        var tls = new ClientTlsSettings(
            r.Enum("mode", ClientTlsMode.Disable),
            r.String("clientCertificate"),
            r.String("privateKey"),
            r.String("caCertificates"),
            r.String("credentialName"),
            r.Strings("subjectAltNames"),
            r.String("sni"));
        if (tls.Mode is ClientTlsMode.Simple or ClientTlsMode.Mutual && !string.IsNullOrEmpty(tls.CredentialName))
        {
            if (!string.IsNullOrEmpty(tls.ClientCertificate) || !string.IsNullOrEmpty(tls.CaCertificates) || !string.IsNullOrEmpty(tls.PrivateKey))
            {
                r.Error("credentialName", "cannot specify client certificates or CA certificate If credentialName is set");
            }

            return tls;
        }

        if (tls.Mode == ClientTlsMode.Mutual)
        {
            if (string.IsNullOrEmpty(tls.ClientCertificate))
            {
                r.Error("clientCertificate", "client certificate required for mutual tls");
            }

            if (string.IsNullOrEmpty(tls.PrivateKey))
            {
                r.Error("privateKey", "private key required for mutual tls");
            }
        }

        return tls;
    }
}
