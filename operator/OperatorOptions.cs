namespace ControlPlane.Operator;

/// <summary>Settings of the operator; the command line fills them in.</summary>
public sealed class OperatorOptions
{
    /// <summary>The namespace the operator runs in: its Lease and webhook certificate Secret live there.</summary>
    public string Namespace { get; set; } = "istio-system";

    public string? Kubeconfig { get; set; }

    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>HTTPS port of the /inject admission webhook.</summary>
    public int WebhookPort { get; set; } = 9443;

    /// <summary>HTTP port of /healthz/ready and /metrics.</summary>
    public int HttpPort { get; set; } = 15015;

    /// <summary>Service in front of the webhook; its DNS names go into the serving certificate.</summary>
    public string WebhookService { get; set; } = "controlplane-operator";

    /// <summary>MutatingWebhookConfiguration whose caBundle the operator keeps current.</summary>
    public string WebhookConfig { get; set; } = "controlplane-sidecar-injector";

    /// <summary>
    /// When set, the operator itself registers the webhook at this URL (e.g. https://127.0.0.1:9443/inject),
    /// for running outside the cluster; in a cluster the chart registers it through the Service.
    /// </summary>
    public string? WebhookUrl { get; set; }

    /// <summary>"Fail" or "Ignore", for the webhook the operator registers itself.</summary>
    public string FailurePolicy { get; set; } = "Fail";

    /// <summary>Secret (tls.crt, tls.key, ca.crt) holding the webhook's serving certificate.</summary>
    public string CertSecret { get; set; } = "controlplane-webhook-certs";

    /// <summary>True when the Secret is provided and managed by someone else: it is only read.</summary>
    public bool CertProvided { get; set; }

    public TimeSpan CertLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A certificate with less than this left is replaced.</summary>
    public TimeSpan CertRenewBefore { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often replicas re-read the Secret and the leader checks expiry and the caBundle.</summary>
    public TimeSpan CertCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The cluster-scoped SidecarInjector whose settings are used, and whose status this operator
    /// writes; "default" as the chart installs it (another name lets two operators share a cluster).
    /// </summary>
    public string SidecarInjector { get; set; } = Api.SidecarInjector.DefaultName;

    /// <summary>
    /// The operator's own Deployment (in <see cref="Namespace"/>), made the owner of the Lease and the
    /// generated certificate Secret so that deleting it (helm uninstall) lets the garbage collector
    /// delete them; none when null (a local run).
    /// </summary>
    public string? OwnerDeployment { get; set; }

    /// <summary>Default discovery address of injected proxies (a SidecarInjector may override it).</summary>
    public string DiscoveryAddress { get; set; } = "xds-server.istio-system.svc:15010";

    /// <summary>
    /// The control-plane revision this operator injects for (Istio's istio.io/rev value); the chart
    /// passes its <c>revision</c> value. A SidecarInjector's spec.revision overrides it.
    /// </summary>
    public string Revision { get; set; } = "default";

    public string LeaseName { get; set; } = "controlplane-operator";

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's name in the Lease.</summary>
    public string Identity { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Largest AdmissionReview body accepted, in bytes; a larger one is answered 413. 8 MiB: a review
    /// carries the object and, for updates, the old object, each within the API server's 3 MiB request limit.
    /// </summary>
    public long MaxAdmissionReviewBytes { get; set; } = 8 * 1024 * 1024;

    public string LogFormat { get; set; } = "text";

    public string LogLevel { get; set; } = "Information";
}
