using System.CommandLine;

namespace ControlPlane.XdsServer;

/// <summary>The xds-server command line: every option, its default, and how it fills <see cref="XdsServerOptions"/>.</summary>
public static class XdsServerCommandLine
{
    /// <summary>The root command; <paramref name="run"/> gets the parsed options and returns the exit code.</summary>
    public static RootCommand Create(Func<XdsServerOptions, CancellationToken, Task<int>> run)
    {
        var defaults = new XdsServerOptions();
        var configDir = new Option<string?>("--config-dir") { Description = "Directory of Kubernetes YAML (Service, EndpointSlice) to serve; re-read on change." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Serve the live Services and EndpointSlices of the cluster this runs in (or of --kubeconfig)." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster to serve; implies --kubernetes." };
        var grpcPort = new Option<int>("--grpc-port") { Description = "Plaintext ADS port.", DefaultValueFactory = _ => defaults.GrpcPort };
        var httpPort = new Option<int>("--http-port") { Description = "Monitoring port: /healthz/ready, /metrics, /debug/syncz, /debug/sources, /debug/config_dump.", DefaultValueFactory = _ => defaults.HttpPort };
        var listenAddress = new Option<string>("--listen-address") { Description = "Address both ports listen on.", DefaultValueFactory = _ => defaults.ListenAddress };
        var clusterDomain = new Option<string>("--cluster-domain") { Description = "Kubernetes cluster domain of service host names.", DefaultValueFactory = _ => defaults.ClusterDomain };
        var debounceAfter = new Option<int>("--debounce-after-ms") { Description = "Quiet time after the last change before a push, counted from when the source saw the change.", DefaultValueFactory = _ => (int)defaults.DebounceAfter.TotalMilliseconds };
        var debounceMax = new Option<int>("--debounce-max-ms") { Description = "Longest a push waits after the first change.", DefaultValueFactory = _ => (int)defaults.DebounceMax.TotalMilliseconds };
        var debounceEveryEds = new Option<bool>("--debounce-every-eds-push") { Description = "Debounce an endpoint-only change even after a quiet spell, as istiod does by default; without it such a change is pushed at once and only the changes following it are debounced." };
        var maxPushes = new Option<int>("--max-concurrent-pushes") { Description = "Streams that may generate a view's config at once (others needing the same view await it).", DefaultValueFactory = _ => defaults.MaxConcurrentPushes };
        var maxRequestBytes = new Option<int>("--max-request-bytes") { Description = "Largest DiscoveryRequest accepted, in bytes; a larger one ends its stream (RESOURCE_EXHAUSTED).", DefaultValueFactory = _ => defaults.MaxRequestBytes };
        var maxStreams = new Option<int>("--max-streams-per-connection") { Description = "Concurrent HTTP/2 streams one proxy connection may open; further ones wait.", DefaultValueFactory = _ => defaults.MaxStreamsPerConnection };
        var maxQueued = new Option<int>("--max-queued-requests") { Description = "Requests one ADS stream holds before it stops reading (HTTP/2 flow control then holds the proxy back).", DefaultValueFactory = _ => defaults.MaxQueuedRequests };
        var maxSends = new Option<int>("--max-concurrent-sends") { Description = "Responses of 64 KiB or more being written at once across all streams (bounds write buffers during a push); a write still going after 1 s gives its slot up.", DefaultValueFactory = _ => defaults.MaxConcurrentSends };
        var trimAfter = new Option<int>("--idle-memory-trim-after-ms") { Description = "After a burst, how long the process must be quiet before its free heap goes back to the OS; 0: never.", DefaultValueFactory = _ => (int)defaults.IdleMemoryTrimAfter.TotalMilliseconds };
        var edsForHeadless = new Option<bool>("--enable-eds-for-headless-services") { Description = "Give sidecars EDS clusters for headless services instead of ORIGINAL_DST ones (istiod's PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES)." };
        var logFormat = new Option<string>("--log-format") { Description = "text or json.", DefaultValueFactory = _ => defaults.LogFormat };
        var logLevel = new Option<string>("--log-level") { Description = "Verbose, Debug, Information, Warning or Error.", DefaultValueFactory = _ => defaults.LogLevel };
        logFormat.AcceptOnlyFromAmong("text", "json");
        foreach (var positive in new[] { maxRequestBytes, maxStreams, maxQueued, maxSends })
        {
            positive.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{result.Option.Name} must be at least 1");
                }
            });
        }

        listenAddress.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && !System.Net.IPAddress.TryParse(value, out _))
            {
                result.AddError($"--listen-address '{value}' is not an IP address");
            }
        });

        var root = new RootCommand("xds-server: serves Envoy v3 xDS (ADS, state of the world and delta) for the mesh")
        {
            configDir, kubernetes, kubeconfig, grpcPort, httpPort, listenAddress, clusterDomain, debounceAfter, debounceMax, debounceEveryEds, maxPushes,
            maxRequestBytes, maxStreams, maxQueued, maxSends, trimAfter, edsForHeadless, logFormat, logLevel,
        };
        root.SetAction((parse, cancellationToken) => run(
            new XdsServerOptions
            {
                ConfigDir = parse.GetValue(configDir),
                Kubernetes = parse.GetValue(kubernetes),
                Kubeconfig = parse.GetValue(kubeconfig),
                GrpcPort = parse.GetValue(grpcPort),
                HttpPort = parse.GetValue(httpPort),
                ListenAddress = parse.GetValue(listenAddress)!,
                ClusterDomain = parse.GetValue(clusterDomain)!,
                DebounceAfter = TimeSpan.FromMilliseconds(parse.GetValue(debounceAfter)),
                DebounceMax = TimeSpan.FromMilliseconds(parse.GetValue(debounceMax)),
                DebounceEveryEndpointPush = parse.GetValue(debounceEveryEds),
                MaxConcurrentPushes = parse.GetValue(maxPushes),
                MaxRequestBytes = parse.GetValue(maxRequestBytes),
                MaxStreamsPerConnection = parse.GetValue(maxStreams),
                MaxQueuedRequests = parse.GetValue(maxQueued),
                MaxConcurrentSends = parse.GetValue(maxSends),
                IdleMemoryTrimAfter = TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(trimAfter))),
                EnableEdsForHeadlessServices = parse.GetValue(edsForHeadless),
                LogFormat = parse.GetValue(logFormat)!,
                LogLevel = parse.GetValue(logLevel)!,
            },
            cancellationToken));
        return root;
    }
}
