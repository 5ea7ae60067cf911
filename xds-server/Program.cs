using System.CommandLine;
using ControlPlane.XdsServer;

var configDir = new Option<string?>("--config-dir") { Description = "Directory of Kubernetes YAML (Service, EndpointSlice) to serve; re-read on change." };
var kubernetes = new Option<bool>("--kubernetes") { Description = "Serve the live Services and EndpointSlices of the cluster this runs in (or of --kubeconfig)." };
var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster to serve; implies --kubernetes." };
var grpcPort = new Option<int>("--grpc-port") { Description = "Plaintext ADS port.", DefaultValueFactory = _ => 15010 };
var httpPort = new Option<int>("--http-port") { Description = "Monitoring port: /healthz/ready, /metrics, /debug/syncz, /debug/config_dump.", DefaultValueFactory = _ => 15014 };
var listenAddress = new Option<string>("--listen-address") { Description = "Address both ports listen on.", DefaultValueFactory = _ => "0.0.0.0" };
var clusterDomain = new Option<string>("--cluster-domain") { Description = "Kubernetes cluster domain of service host names.", DefaultValueFactory = _ => "cluster.local" };
var debounceAfter = new Option<int>("--debounce-after-ms") { Description = "Quiet time after the last change before a push.", DefaultValueFactory = _ => 100 };
var debounceMax = new Option<int>("--debounce-max-ms") { Description = "Longest a push waits after the first change.", DefaultValueFactory = _ => 10000 };
var maxPushes = new Option<int>("--max-concurrent-pushes") { Description = "Streams that may prepare a push at once.", DefaultValueFactory = _ => 100 };
var edsForHeadless = new Option<bool>("--enable-eds-for-headless-services") { Description = "Give sidecars EDS clusters for headless services instead of ORIGINAL_DST ones (istiod's PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES)." };
var logFormat = new Option<string>("--log-format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
var logLevel = new Option<string>("--log-level") { Description = "Verbose, Debug, Information, Warning or Error.", DefaultValueFactory = _ => "Information" };
logFormat.AcceptOnlyFromAmong("text", "json");

var root = new RootCommand("xds-server: serves Envoy v3 xDS (ADS, state of the world and delta) for the mesh")
{
    configDir, kubernetes, kubeconfig, grpcPort, httpPort, listenAddress, clusterDomain, debounceAfter, debounceMax, maxPushes, edsForHeadless, logFormat, logLevel,
};
listenAddress.Validators.Add(result =>
{
    var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
    if (value is not null && !System.Net.IPAddress.TryParse(value, out _))
    {
        result.AddError($"--listen-address '{value}' is not an IP address");
    }
});
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new XdsServerOptions
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
        MaxConcurrentPushes = parse.GetValue(maxPushes),
        EnableEdsForHeadlessServices = parse.GetValue(edsForHeadless),
        LogFormat = parse.GetValue(logFormat)!,
        LogLevel = parse.GetValue(logLevel)!,
    };
    var app = XdsServerHost.Build(options);
    await app.RunAsync(cancellationToken);
    return 0;
});
return await root.Parse(args).InvokeAsync();
