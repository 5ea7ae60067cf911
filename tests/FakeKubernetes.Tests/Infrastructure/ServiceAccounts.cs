using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>The namespace's "default" ServiceAccount, which pods need and the fake never makes by itself.</summary>
public static class ServiceAccounts
{
    /// <summary>Creates it unless it exists; looks first, so a webhook on every kind sees no second create.</summary>
    public static async Task EnsureDefaultAsync(IKubernetes client, string ns)
    {
        try
        {
            await client.CoreV1.ReadNamespacedServiceAccountAsync("default", ns);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ns);
        }
    }
}
