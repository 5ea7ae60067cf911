using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Operator.Api;
using k8s;

namespace ControlPlane.Operator.Settings;

public static class SidecarInjectorClient
{
    /// <summary>List and watch of the cluster-scoped SidecarInjector custom resources.</summary>
    public static ResourceClient<SidecarInjector, SidecarInjectorList> Create(IKubernetes client) => new(
        SidecarInjector.Plural,
        ct => client.CustomObjects.ListClusterCustomObjectAsync<SidecarInjectorList>(SidecarInjector.Group, SidecarInjector.Version, SidecarInjector.Plural, cancellationToken: ct),
        (version, timeout, onError, ct) => Watch(client, version, timeout, onError, ct));

    private static IAsyncEnumerable<(WatchEventType, SidecarInjector)> Watch(IKubernetes client, string version, int timeout, Action<Exception> onError, CancellationToken ct)
    {
        var response = client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<SidecarInjectorList>(
            SidecarInjector.Group, SidecarInjector.Version, SidecarInjector.Plural,
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, watch: true, cancellationToken: ct);
#pragma warning disable CS0618 // KubernetesClient has no typed watch for custom objects besides this one.
        return response.WatchAsync<SidecarInjector, SidecarInjectorList>(onError, ct);
#pragma warning restore CS0618
    }
}
