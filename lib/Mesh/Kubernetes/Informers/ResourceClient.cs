using k8s;

namespace ControlPlane.Mesh.Kubernetes.Informers;

/// <summary>How an informer lists and watches one kind: two calls of KubernetesClient's generated API.</summary>
/// <param name="List">Lists every object (all namespaces).</param>
/// <param name="Watch">Watches from a resource version, with bookmarks, for a number of seconds; errors go to the callback.</param>
public sealed record ResourceClient<T, TList>(
    string Resource,
    Func<CancellationToken, Task<TList>> List,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> Watch)
    where TList : IKubernetesObject;
