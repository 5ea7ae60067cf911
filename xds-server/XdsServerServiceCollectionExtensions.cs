using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Kubernetes.Informers;
using k8s;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.ObjectStatus;
using ControlPlane.XdsServer.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer;

public static class XdsServerServiceCollectionExtensions
{
    /// <summary>The store, generation, cache, push pipeline and ADS service.</summary>
    public static IServiceCollection AddXdsServer(this IServiceCollection services)
    {
        services.AddSingleton<MeshObjectStore>();
        services.AddSingleton(sp => new MeshObjectTranslator(sp.GetRequiredService<IOptions<XdsServerOptions>>().Value.ClusterDomain));
        services.AddSingleton(sp => new ConfigGenerator(new GenerationOptions
        {
            EnableEdsForHeadlessServices = sp.GetRequiredService<IOptions<XdsServerOptions>>().Value.EnableEdsForHeadlessServices,
            ClusterDomain = sp.GetRequiredService<IOptions<XdsServerOptions>>().Value.ClusterDomain,
        }));
        services.AddSingleton<XdsCache>();
        services.AddSingleton<InterfaceOutlierStatusTracker>();
        services.AddSingleton<ConfigNoticeReporter>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<PushLimiter>();
        services.AddSingleton<AdsStreamContext>();
        services.AddSingleton<PushDebouncer>();
        services.AddSingleton<ServingReadiness>();
        services.AddHostedService(sp => sp.GetRequiredService<PushDebouncer>());
        services.AddHostedService<Hosting.IdleMemoryTrimmer>();
        services.AddSingleton<Hosting.ReceiveBufferReserve>();
        services.AddHostedService(sp => sp.GetRequiredService<Hosting.ReceiveBufferReserve>());
        services.AddGrpc(o => o.MaxSendMessageSize = null);
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>()
            .Configure<IOptions<XdsServerOptions>>((grpc, xds) => grpc.MaxReceiveMessageSize = xds.Value.MaxRequestBytes);
        return services;
    }

    /// <summary>Serves the live cluster named by XdsServerOptions.Kubeconfig (or the in-cluster config).</summary>
    public static IServiceCollection AddKubernetesConfigSource(this IServiceCollection services)
    {
        services.AddOptions<ResourceInformerOptions>();
        services.AddSingleton(sp => KubernetesClients.Create(sp.GetRequiredService<IOptions<XdsServerOptions>>().Value.Kubeconfig));
        services.AddSingleton<WatchedObjectCache>();
        services.AddSingleton<KubernetesConfigSource>();
        services.AddSingleton<ISourceReadiness>(sp => sp.GetRequiredService<KubernetesConfigSource>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesConfigSource>());
        services.AddHostedService<InterfaceOutlierStatusWriter>();
        return services;
    }

    /// <summary>Serves the Kubernetes YAML in XdsServerOptions.ConfigDir, following changes.</summary>
    public static IServiceCollection AddFileConfigSource(this IServiceCollection services)
    {
        services.AddSingleton<ManifestFileLoader>();
        services.AddSingleton<FileConfigSource>();
        services.AddSingleton<ISourceReadiness>(sp => sp.GetRequiredService<FileConfigSource>());
        services.AddHostedService(sp => sp.GetRequiredService<FileConfigSource>());
        return services;
    }
}
