using k8s;

namespace ControlPlane.Mesh.Kubernetes.Informers;

/// <summary>List and watch calls for custom resources, which KubernetesClient reaches only untyped by group/version/plural.</summary>
public static class CustomResourceClients
{
    /// <summary>A cluster-scoped custom resource.</summary>
    public static ResourceClient<T, TList> Cluster<T, TList>(IKubernetes client, string group, string version, string plural)
        where TList : IKubernetesObject => new(
        plural,
        ct => client.CustomObjects.ListClusterCustomObjectAsync<TList>(group, version, plural, cancellationToken: ct),
        (resourceVersion, timeout, onError, ct) => Watch<T, TList>(
            client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<TList>(
                group, version, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeout, watch: true, cancellationToken: ct),
            onError,
            ct));

    private static IAsyncEnumerable<(WatchEventType, T)> Watch<T, TList>(Task<k8s.Autorest.HttpOperationResponse<TList>> response, Action<Exception> onError, CancellationToken ct)
    {
        // KubernetesClient has no other typed watch for custom objects. It holds a pool thread while it
        // waits for the next line, so it suits a few watches (the operator's one), not many.
#pragma warning disable CS0618
        return response.WatchAsync<T, TList>(onError, ct);
#pragma warning restore CS0618
    }
}
