using System.CommandLine;
using ControlPlane.Mesh.Hosting;
using ControlPlane.Operator;

var defaults = new OperatorOptions();
var ns = new Option<string>("--namespace") { Description = "Namespace the operator runs in (its Lease and certificate Secret).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? defaults.Namespace };
var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster; in-cluster config when absent." };
var listenAddress = new Option<string>("--listen-address") { Description = "Address both ports listen on.", DefaultValueFactory = _ => defaults.ListenAddress };
var webhookPort = new Option<int>("--webhook-port") { Description = "HTTPS port of the /inject admission webhook.", DefaultValueFactory = _ => defaults.WebhookPort };
var httpPort = new Option<int>("--http-port") { Description = "Port of /healthz/ready and /metrics.", DefaultValueFactory = _ => defaults.HttpPort };
var webhookService = new Option<string>("--webhook-service") { Description = "Service in front of the webhook (named in its certificate).", DefaultValueFactory = _ => defaults.WebhookService };
var webhookConfig = new Option<string>("--webhook-config") { Description = "MutatingWebhookConfiguration whose caBundle is kept current.", DefaultValueFactory = _ => defaults.WebhookConfig };
var webhookUrl = new Option<string?>("--webhook-url") { Description = "Register the webhook at this URL (outside a cluster), e.g. https://127.0.0.1:9443/inject; port 0 there means the port --webhook-port 0 was given." };
var failurePolicy = new Option<string>("--failure-policy") { Description = "Fail or Ignore, for a webhook registered with --webhook-url.", DefaultValueFactory = _ => defaults.FailurePolicy };
var certSecret = new Option<string>("--cert-secret") { Description = "Secret holding the webhook certificate (tls.crt, tls.key, ca.crt).", DefaultValueFactory = _ => defaults.CertSecret };
var certProvided = new Option<bool>("--cert-provided") { Description = "The certificate Secret is managed by someone else: only read it." };
var discoveryAddress = new Option<string>("--discovery-address") { Description = "xds-server address injected proxies connect to.", DefaultValueFactory = _ => defaults.DiscoveryAddress };
var revision = new Option<string>("--revision") { Description = "Revision (istio.io/rev value) injected for; default \"default\".", DefaultValueFactory = _ => defaults.Revision };
var sidecarInjector = new Option<string>("--sidecar-injector") { Description = "SidecarInjector (cluster-scoped) whose settings are used and whose status is written.", DefaultValueFactory = _ => defaults.SidecarInjector };
var ownerDeployment = new Option<string?>("--owner-deployment") { Description = "The operator's Deployment, made owner of its Lease and generated certificate Secret so they go when it goes." };
var leaseName = new Option<string>("--lease-name") { Description = "Lease used for leader election.", DefaultValueFactory = _ => defaults.LeaseName };
var logFormat = new Option<string>("--log-format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
var logLevel = new Option<string>("--log-level") { Description = "Verbose, Debug, Information, Warning or Error.", DefaultValueFactory = _ => "Information" };
failurePolicy.AcceptOnlyFromAmong("Fail", "Ignore");
logFormat.AcceptOnlyFromAmong("text", "json");

var root = new RootCommand("operator: injects Istio 1.10-compatible sidecars (Envoy or MOSN) into new pods")
{
    ns, kubeconfig, listenAddress, webhookPort, httpPort, webhookService, webhookConfig, webhookUrl, failurePolicy,
    certSecret, certProvided, discoveryAddress, revision, sidecarInjector, ownerDeployment, leaseName, logFormat, logLevel,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new OperatorOptions
    {
        Namespace = parse.GetValue(ns)!,
        Kubeconfig = parse.GetValue(kubeconfig),
        ListenAddress = parse.GetValue(listenAddress)!,
        WebhookPort = parse.GetValue(webhookPort),
        HttpPort = parse.GetValue(httpPort),
        WebhookService = parse.GetValue(webhookService)!,
        WebhookConfig = parse.GetValue(webhookConfig)!,
        WebhookUrl = parse.GetValue(webhookUrl),
        FailurePolicy = parse.GetValue(failurePolicy)!,
        CertSecret = parse.GetValue(certSecret)!,
        CertProvided = parse.GetValue(certProvided),
        DiscoveryAddress = parse.GetValue(discoveryAddress)!,
        Revision = parse.GetValue(revision)!,
        SidecarInjector = parse.GetValue(sidecarInjector)!,
        OwnerDeployment = parse.GetValue(ownerDeployment),
        LeaseName = parse.GetValue(leaseName)!,
        LogFormat = parse.GetValue(logFormat)!,
        LogLevel = parse.GetValue(logLevel)!,
    };
    var app = OperatorHost.Build(options);
    return await ControlPlaneHost.RunAsync(app, OperatorHost.PortOptions, cancellationToken);
});
return await root.Parse(args).InvokeAsync();
