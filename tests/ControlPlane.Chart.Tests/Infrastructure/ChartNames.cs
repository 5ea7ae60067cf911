namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>The release the tests render and the names the chart should give its objects in it.</summary>
public static class ChartNames
{
    public const string Release = "controlplane";
    public const string Namespace = "mesh-system";

    public const string XdsServer = "controlplane-xds-server";
    public const string Operator = "controlplane-operator";
    public const string WebhookConfig = "controlplane-sidecar-injector";
    public const string GeneratedCertSecret = "controlplane-webhook-cert";
    public const string DiscoveryAddress = "controlplane-xds-server.mesh-system.svc:15010";

    public const string AppVersion = "0.1.0";
}
