using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// Where cluster tests run: the real cluster named by CONTROLPLANE_TEST_KUBECONFIG when it is set,
/// otherwise a fresh in-process fake API server. Namespaces a test creates are deleted afterwards; on a
/// real cluster they may stay Terminating long after (for ever without a controller-manager), so tests
/// scope what they count and wait for to their own namespaces.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string KubeconfigVariable = "CONTROLPLANE_TEST_KUBECONFIG";
    private readonly List<string> _namespaces = new();
    private readonly string? _tempKubeconfig;

    private TestCluster(IKubernetes client, string kubeconfigPath, FakeApiServer? fake, string? tempKubeconfig)
    {
        Client = client;
        KubeconfigPath = kubeconfigPath;
        Fake = fake;
        _tempKubeconfig = tempKubeconfig;
    }

    public IKubernetes Client { get; }

    /// <summary>A kubeconfig for processes under test (--kubeconfig).</summary>
    public string KubeconfigPath { get; }

    /// <summary>The fake API server, or null on a real cluster.</summary>
    public FakeApiServer? Fake { get; }

    public bool IsReal => Fake is null;

    public static async Task<TestCluster> StartAsync()
    {
        var kubeconfig = Environment.GetEnvironmentVariable(KubeconfigVariable);
        if (!string.IsNullOrEmpty(kubeconfig))
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            return new TestCluster(new k8s.Kubernetes(config), kubeconfig, null, null);
        }

        // Namespaces deleted during a test stay Terminating past its end, as on a busy cluster.
        var fake = await FakeApiServer.StartAsync(new FakeApiServerOptions { NamespaceTerminationDelay = TimeSpan.FromSeconds(30) });
        var path = fake.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"fake-kubeconfig-{Guid.NewGuid():N}.yaml"));
        return new TestCluster(fake.CreateClient(), path, fake, path);
    }

    /// <summary>
    /// Creates a namespace with a unique name, and its "default" ServiceAccount: a controller-manager
    /// creates that account only some time later, and a bare API server never does, while pods are
    /// refused until it exists. The namespace is deleted on dispose, without waiting for it to go.
    /// </summary>
    public async Task<string> CreateNamespaceAsync(string prefix, IDictionary<string, string>? labels = null)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
        _namespaces.Add(name);
        await EnsureServiceAccountAsync(name, "default");
        return name;
    }

    /// <summary>Creates a ServiceAccount unless it exists already (its controller may have been first).</summary>
    public async Task EnsureServiceAccountAsync(string ns, string name)
    {
        try
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ns);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // The ServiceAccount controller made it meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _namespaces)
        {
            try
            {
                await Client.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (Exception)
            {
                // Best effort: a real cluster finishes deleting on its own.
            }
        }

        Client.Dispose();
        if (Fake is not null)
        {
            await Fake.DisposeAsync();
        }

        if (_tempKubeconfig is not null)
        {
            File.Delete(_tempKubeconfig);
        }
    }
}
