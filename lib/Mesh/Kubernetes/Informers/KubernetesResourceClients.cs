using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes.Informers;

/// <summary>List and watch calls for the kinds the mesh watches, across all namespaces.</summary>
public static class KubernetesResourceClients
{
    public static ResourceClient<V1Service, V1ServiceList> Services(IKubernetes client) => new(
        "services",
        ct => client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct),
        (version, timeout, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceClient<V1EndpointSlice, V1EndpointSliceList> EndpointSlices(IKubernetes client) => new(
        "endpointslices",
        ct => client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct),
        (version, timeout, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceClient<V1Pod, V1PodList> Pods(IKubernetes client) => new(
        "pods",
        ct => client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct),
        (version, timeout, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceClient<V1Namespace, V1NamespaceList> Namespaces(IKubernetes client) => new(
        "namespaces",
        ct => client.CoreV1.ListNamespaceAsync(cancellationToken: ct),
        (version, timeout, onError, ct) => client.CoreV1.WatchListNamespaceAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
}
