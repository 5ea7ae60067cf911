using Prometheus;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>Prometheus metrics of the xDS server (served on /metrics).</summary>
public static class XdsMetrics
{
    public static readonly Gauge ConnectedProxies = Metrics.CreateGauge(
        "controlplane_xds_connected_proxies", "ADS streams currently open.");

    public static readonly Counter Responses = Metrics.CreateCounter(
        "controlplane_xds_responses_total", "Discovery responses sent, by type.", "type");

    public static readonly Counter Nacks = Metrics.CreateCounter(
        "controlplane_xds_nacks_total", "Responses proxies rejected, by type.", "type");

    public static readonly Counter RejectedRequests = Metrics.CreateCounter(
        "controlplane_xds_rejected_requests_total", "Requests ignored or refused, by reason.", "reason");

    public static readonly Counter UnknownResourceNames = Metrics.CreateCounter(
        "controlplane_xds_unknown_resource_names_total", "Requested resource names that do not exist, by type.", "type");

    public static readonly Counter Pushes = Metrics.CreateCounter(
        "controlplane_xds_pushes_total", "Debounced mesh changes published to the cache, by kind (full or eds).", "kind");

    public static readonly Counter SlowSends = Metrics.CreateCounter(
        "controlplane_xds_slow_sends_total", "Large writes that gave up their send slot because the proxy was still taking the response after MaxSendSlotHold.");

    public static readonly Counter ViewGenerations = Metrics.CreateCounter(
        "controlplane_xds_view_generations_total", "Proxy view configs generated (shared by all proxies with that view).");

    public static readonly Histogram PushConvergence = Metrics.CreateHistogram(
        "controlplane_xds_push_convergence_seconds",
        "From the first mesh change of a push to its response being written to a proxy.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    public static readonly Counter ConfigErrors = Metrics.CreateCounter(
        "controlplane_config_errors_total", "Configuration documents or objects skipped as invalid, by source.", "source");
}
