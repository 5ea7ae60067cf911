using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Operator.Certificates;
using ControlPlane.Operator.Leadership;
using ControlPlane.Operator.Ownership;
using ControlPlane.Operator.Settings;
using ControlPlane.Operator.Status;
using ControlPlane.Operator.Webhook;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator;

public static class OperatorServiceCollectionExtensions
{
    /// <summary>The webhook, its certificate, injection settings, status writing and leader election.</summary>
    public static IServiceCollection AddSidecarInjectionOperator(this IServiceCollection services)
    {
        services.AddOptions<ResourceInformerOptions>();
        services.AddSingleton(sp => KubernetesClients.Create(sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Kubeconfig));
        services.AddSingleton<DeploymentOwner>();
        AddHosted<LeaderElectionService>(services);
        AddHosted<InjectionSettingsStore>(services);
        AddHosted<NamespaceLookup>(services);
        AddHosted<SidecarInjectorStatusReconciler>(services);
        AddHosted<WebhookCertificateManager>(services);
        services.AddSingleton<WebhookCertificateStore>();
        services.AddSingleton<WebhookRegistration>();
        services.AddSingleton<InjectionWebhook>();
        return services;
    }

    private static void AddHosted<T>(IServiceCollection services)
        where T : class, Microsoft.Extensions.Hosting.IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
