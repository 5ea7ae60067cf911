using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes.Informers;

/// <summary>
/// List and watch calls for custom resources. Lists go through KubernetesClient; watches read the
/// HTTP stream here, asynchronously and cancellably, because KubernetesClient's own watch for custom
/// objects is obsolete and holds a pool thread while it waits for each line.
/// </summary>
public static class CustomResourceClients
{
    /// <summary>A cluster-scoped custom resource.</summary>
    public static ResourceClient<T, TList> Cluster<T, TList>(IKubernetes client, string group, string version, string plural)
        where TList : IKubernetesObject => new(
        plural,
        ct => client.CustomObjects.ListClusterCustomObjectAsync<TList>(group, version, plural, cancellationToken: ct),
        (resourceVersion, timeout, onError, ct) => WatchAsync<T>(client, $"/apis/{group}/{version}/{plural}", resourceVersion, timeout, onError, ct));

    /// <summary>A namespaced custom resource, across all namespaces.</summary>
    public static ResourceClient<T, TList> Namespaced<T, TList>(IKubernetes client, string group, string version, string plural)
        where TList : IKubernetesObject => Cluster<T, TList>(client, group, version, plural) with
    {
        List = ct => client.CustomObjects.ListCustomObjectForAllNamespacesAsync<TList>(group, version, plural, cancellationToken: ct),
    };

    private static async IAsyncEnumerable<(WatchEventType, T)> WatchAsync<T>(
        IKubernetes client,
        string path,
        string resourceVersion,
        int timeoutSeconds,
        Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var kubernetes = client as k8s.Kubernetes ?? throw new NotSupportedException("watching custom resources needs the k8s.Kubernetes client");
        var uri = $"{kubernetes.BaseUri.ToString().TrimEnd('/')}{path}?watch=true&allowWatchBookmarks=true" +
                  $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds}";
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (kubernetes.Credentials is not null)
        {
            await kubernetes.Credentials.ProcessHttpRequestAsync(request, ct);
        }

        using var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            var status = new V1Status { Code = (int)response.StatusCode, Message = body, Reason = response.ReasonPhrase };
            onError(response.StatusCode == HttpStatusCode.Gone ? new KubernetesException(status) : new HttpRequestException($"watch {path}: HTTP {(int)response.StatusCode} {body}"));
            yield break;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var change = KubernetesJson.Deserialize<WatchLine<T>>(line);
            if (change.Type == WatchEventType.Error)
            {
                onError(new KubernetesException(KubernetesJson.Deserialize<WatchLine<V1Status>>(line).Object));
                yield break;
            }

            yield return (change.Type, change.Object);
        }
    }

    private sealed class WatchLine<TObject>
    {
        [JsonPropertyName("type")]
        public WatchEventType Type { get; set; }

        [JsonPropertyName("object")]
        public TObject Object { get; set; } = default!;
    }
}
