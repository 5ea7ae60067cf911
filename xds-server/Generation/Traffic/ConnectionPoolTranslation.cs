using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Cluster.V3;
using Google.Protobuf.WellKnownTypes;
using EnvoyKeepalive = Envoy.Config.Core.V3.TcpKeepalive;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// A DestinationRule's connectionPool on a cluster, as istiod 1.10's applyConnectionPool and
/// applyH2Upgrade set it. Zero means unset for every number, as in istiod (it cannot tell them apart).
/// </summary>
internal static class ConnectionPoolTranslation
{
    /// <summary>
    /// Circuit breaker thresholds (istiod's defaults, unlimited, with the settings given:
    /// http2MaxRequests → max_requests, http1MaxPendingRequests → max_pending_requests, maxRetries →
    /// max_retries, tcp.maxConnections → max_connections), max_requests_per_connection,
    /// connect_timeout, TCP keepalive (upstream_connection_options; time and interval in whole
    /// seconds), the idle timeout and, for useClientProtocol, the downstream's HTTP version upstream.
    /// Nothing when <paramref name="settings"/> is null.
    /// </summary>
    public static void Apply(ClusterDraft draft, ConnectionPoolSettings? settings)
    {
        if (settings is null)
        {
            return;
        }

        var cluster = draft.Cluster;
        var threshold = ClusterBuilder.UnlimitedThresholds();
        TimeSpan? idleTimeout = null;
        if (settings.Http is { } http)
        {
            if (http.Http2MaxRequests > 0)
            {
                threshold.MaxRequests = (uint)http.Http2MaxRequests;
            }

            if (http.Http1MaxPendingRequests > 0)
            {
                threshold.MaxPendingRequests = (uint)http.Http1MaxPendingRequests;
            }

            if (http.MaxRequestsPerConnection > 0)
            {
#pragma warning disable CS0612 // deprecated in later Envoy APIs; the field Envoy 1.18 and MOSN read, and istiod 1.10 sets
                cluster.MaxRequestsPerConnection = (uint)http.MaxRequestsPerConnection;
#pragma warning restore CS0612
            }

            if (http.MaxRetries > 0)
            {
                threshold.MaxRetries = (uint)http.MaxRetries;
            }

            idleTimeout = http.IdleTimeout;
        }

        if (settings.Tcp is { } tcp)
        {
            if (tcp.ConnectTimeout is { } connectTimeout)
            {
                cluster.ConnectTimeout = Duration.FromTimeSpan(connectTimeout);
            }

            if (tcp.MaxConnections > 0)
            {
                threshold.MaxConnections = (uint)tcp.MaxConnections;
            }

            // meshConfig.tcpKeepalive is unset by default: only the rule's keepalive applies.
            if (tcp.TcpKeepalive is { } keepalive)
            {
                cluster.UpstreamConnectionOptions = new UpstreamConnectionOptions { TcpKeepalive = Keepalive(keepalive) };
            }
        }

        cluster.CircuitBreakers = new CircuitBreakers { Thresholds = { threshold } };
        if (idleTimeout is { } idle)
        {
            draft.SetIdleTimeout(Duration.FromTimeSpan(idle));
        }

        if (settings.Http is { UseClientProtocol: true })
        {
            draft.UseDownstreamProtocol();
        }
    }

    /// <summary>
    /// Upstream HTTP/2 when the rule asks for h2UpgradePolicy UPGRADE (on any port: istiod takes it
    /// that the user knows the port speaks HTTP). DEFAULT follows meshConfig.h2UpgradePolicy, whose
    /// default DO_NOT_UPGRADE never upgrades, so DEFAULT and DO_NOT_UPGRADE change nothing.
    /// </summary>
    public static void ApplyH2Upgrade(ClusterDraft draft, ConnectionPoolSettings? settings)
    {
        if (settings?.Http?.H2UpgradePolicy == H2UpgradePolicy.Upgrade)
        {
            draft.UseHttp2();
        }
    }

    /// <summary>SO_KEEPALIVE with the OS's values, overridden by those the rule sets (probes; time and interval in whole seconds).</summary>
    private static EnvoyKeepalive Keepalive(TcpKeepalive keepalive)
    {
        var result = new EnvoyKeepalive();
        if (keepalive.Probes > 0)
        {
            result.KeepaliveProbes = keepalive.Probes;
        }

        if (keepalive.Time is { } time)
        {
            result.KeepaliveTime = (uint)(long)time.TotalSeconds;
        }

        if (keepalive.Interval is { } interval)
        {
            result.KeepaliveInterval = (uint)(long)interval.TotalSeconds;
        }

        return result;
    }
}
