using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// Applies crds/ and waits until they are Established. (The fake serves the custom kinds whether or
/// not their CRDs exist, so tests against it do not depend on this having run.)
/// </summary>
public static class CrdInstaller
{
    public static async Task EnsureAsync(TestCluster cluster)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(ControlPlane.Tests.Shared.RepositoryRoot.Path, "crds"), "*.yaml"))
        {
            var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file));
            try
            {
                await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Already there.
            }

            await Eventually.Until(
                async () => await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name),
                found => found.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true,
                $"CRD {crd.Metadata.Name} to be Established");
        }
    }
}
