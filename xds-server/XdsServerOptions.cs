namespace ControlPlane.XdsServer;

/// <summary>Settings of the xDS server; the command line fills them in.</summary>
public sealed class XdsServerOptions
{
    /// <summary>Directory of Kubernetes YAML to serve, re-read on change. Null: no file source.</summary>
    public string? ConfigDir { get; set; }

    /// <summary>Serve the live Services and EndpointSlices of a Kubernetes cluster.</summary>
    public bool Kubernetes { get; set; }

    /// <summary>Kubeconfig to reach the cluster with; null means in-cluster config.</summary>
    public string? Kubeconfig { get; set; }

    public int GrpcPort { get; set; } = 15010;

    public int HttpPort { get; set; } = 15014;

    public string ListenAddress { get; set; } = "0.0.0.0";

    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>A push waits for this much quiet after the last change (Istio's PILOT_DEBOUNCE_AFTER).</summary>
    public TimeSpan DebounceAfter { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A push waits at most this long after the first change (Istio's PILOT_DEBOUNCE_MAX).</summary>
    public TimeSpan DebounceMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Debounce endpoint-only changes that come after a quiet spell too, as istiod 1.10 does by default
    /// (PILOT_ENABLE_EDS_DEBOUNCE). False (the default): such a change is pushed at once, and only the
    /// changes following it within <see cref="DebounceAfter"/> are debounced (see <see cref="Delivery.PushDebouncer"/>).
    /// </summary>
    public bool DebounceEveryEndpointPush { get; set; }

    /// <summary>
    /// After a burst (a push storm), how long the process must be quiet before its free heap is
    /// returned to the operating system (see <see cref="Hosting.IdleMemoryTrimmer"/>); zero: never, nor the full
    /// collection after a wave of ended streams.
    /// </summary>
    public TimeSpan IdleMemoryTrimAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How many streams may generate a view's config at the same time (others needing the same view
    /// await it). Generation is CPU-bound: more at once than cores only adds lock contention.
    /// </summary>
    public int MaxConcurrentPushes { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// How many responses of <see cref="SendLimiter.LargeResponseBytes"/> or more may be being written
    /// at once, across all streams: what bounds the server's write buffers during a push to thousands
    /// of proxies. A write keeps its slot at most <see cref="MaxSendSlotHold"/>; the wait for a slot
    /// does not count towards <see cref="SendTimeout"/>.
    /// </summary>
    /// <remarks>
    /// 8, measured (docs/PERFORMANCE.md): on loopback a write takes well under a millisecond, so a
    /// few at once keep the cores busy, and each one in flight holds its response in 64 KiB pooled
    /// arrays. At 64 the arrays outgrew the shared array pool and every push allocated its size
    /// again: a service-add push to 2,000 proxies cost a quarter more CPU and the peak RSS 100 MB more.
    /// </remarks>
    public int MaxConcurrentSends { get; set; } = 8;

    /// <summary>
    /// Longest a write keeps its send slot, 1 s by default: a proxy still taking its response after
    /// that (a slow or stalled reader) goes on being written to outside the limit, so a handful of
    /// them cannot hold every slot and stall everyone's large pushes until <see cref="SendTimeout"/>.
    /// Each stream has one response in flight at most, so what they buffer is bounded per stream.
    /// Zero or less (or <see cref="Timeout.InfiniteTimeSpan"/>): a write keeps its slot until it ends.
    /// </summary>
    public TimeSpan MaxSendSlotHold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A proxy that takes no response for this long is disconnected.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest DiscoveryRequest accepted, in bytes; a bigger one ends its stream with
    /// RESOURCE_EXHAUSTED. 4 MiB, gRPC's and istiod's default (ISTIO_GPRC_MAXRECVMSGSIZE).
    /// </summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Concurrent HTTP/2 streams one connection may open (istiod: ISTIO_GPRC_MAXSTREAMS); further ones wait.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>
    /// Requests a stream holds before it stops reading from the proxy, so that HTTP/2 flow control
    /// holds back one that writes faster than the server answers. With <see cref="MaxRequestBytes"/>
    /// this bounds what one stream's requests can cost.
    /// </summary>
    public int MaxQueuedRequests { get; set; } = 4;

    /// <summary>
    /// Largest config file read, in bytes; a larger one is reported as invalid and its objects stay as
    /// they were. 16 MiB: sixteen times a ConfigMap's limit, so reading a file bounds what it costs.
    /// </summary>
    public long MaxConfigFileBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How often the config directory is rescanned besides file-change notifications.</summary>
    public TimeSpan ConfigPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sent in every response's control_plane.identifier.</summary>
    public string ControlPlaneId { get; set; } = $"xds-server@{Environment.MachineName}";

    /// <summary>
    /// Headless services get EDS clusters on sidecars instead of ORIGINAL_DST ones (istiod's
    /// PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES, off by default there too).
    /// </summary>
    public bool EnableEdsForHeadlessServices { get; set; }

    /// <summary>"text" or "json" (one JSON object per event).</summary>
    public string LogFormat { get; set; } = "text";

    public string LogLevel { get; set; } = "Information";
}
