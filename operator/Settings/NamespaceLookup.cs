using System.Collections.Concurrent;
using ControlPlane.Mesh.Kubernetes.Informers;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Settings;

/// <summary>
/// Namespace labels for injection decisions (an AdmissionReview carries only the namespace's name):
/// from a watch, and read from the API server when a pod arrives before the watch saw its namespace.
/// </summary>
public sealed class NamespaceLookup : BackgroundService
{
    private readonly IKubernetes _client;
    private readonly ILogger<NamespaceLookup> _logger;
    private readonly ConcurrentDictionary<string, V1ObjectMeta> _namespaces = new(StringComparer.Ordinal);
    private readonly ResourceInformer<V1Namespace, V1NamespaceList> _informer;

    public NamespaceLookup(IKubernetes client, IOptions<ResourceInformerOptions> informerOptions, ILogger<NamespaceLookup> logger)
    {
        _client = client;
        _logger = logger;
        _informer = new ResourceInformer<V1Namespace, V1NamespaceList>(KubernetesResourceClients.Namespaces(client), OnEvent, informerOptions.Value, logger);
    }

    public bool HasSynced => _informer.HasSynced;

    public async Task<V1ObjectMeta?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (_namespaces.TryGetValue(name, out var cached))
        {
            return cached;
        }

        try
        {
            var ns = await _client.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken);
            return ns.Metadata;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not read namespace {Namespace}: {Error}", name, e.Message);
            return null;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _informer.RunAsync(stoppingToken);

    private void OnEvent(InformerEventType type, V1Namespace ns)
    {
        if (type == InformerEventType.Deleted)
        {
            _namespaces.TryRemove(ns.Metadata.Name, out _);
        }
        else
        {
            _namespaces[ns.Metadata.Name] = ns.Metadata;
        }
    }
}
