using ControlPlane.Chart.Tests.Infrastructure;
using ControlPlane.FakeKubernetes;
using k8s;

namespace ControlPlane.Chart.Tests;

/// <summary>
/// The real helm installs the chart through the API server's HTTP protocol: the fake's, or a real
/// cluster's with CONTROLPLANE_TEST_KUBECONFIG (the "helm install, no --wait").
/// </summary>
public sealed class HelmInstallTests
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task The_chart_installs_and_its_crds_become_established()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync("helm");
        var release = ns; // unique, so cluster-scoped names do not meet another install's
        var fullname = $"{release}-controlplane";
        // The images may not be pullable where this runs: Ignore keeps the webhook from refusing
        // other tests' pods while no operator answers.
        var install = new List<string>
        {
            "install", release, RepoPaths.Chart, "--namespace", ns, "--kubeconfig", cluster.KubeconfigPath,
            "--set", "webhook.failurePolicy=Ignore",
        };
        if (!cluster.IsReal)
        {
            // The fake serves no OpenAPI document; a real API server's validates the manifests.
            install.Add("--disable-openapi-validation");
        }

        var installed = await Helm.RunAsync([.. install]);
        try
        {
            installed.Succeeded.Should().BeTrue(installed.ToString());

            foreach (var crd in CrdFiles.InChart().SelectMany(file => CrdFiles.Parse(File.ReadAllText(file))))
            {
                var served = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name);
                served.Status?.Conditions.Should().Contain(c => c.Type == "Established" && c.Status == "True", $"{crd.Metadata.Name} must become Established");
            }

            (await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Select(d => d.Metadata.Name)
                .Should().BeEquivalentTo($"{fullname}-xds-server", $"{fullname}-operator");
            (await cluster.Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync($"{fullname}-sidecar-injector"))
                .Webhooks.Should().OnlyContain(w => w.FailurePolicy == "Ignore" && w.ClientConfig.Service.NamespaceProperty == ns);
            (await cluster.Client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: $"owner=helm,name={release}")).Items
                .Should().ContainSingle("helm records the release in its namespace");
        }
        finally
        {
            if (installed.Succeeded)
            {
                var uninstalled = await Helm.RunAsync("uninstall", release, "--namespace", ns, "--kubeconfig", cluster.KubeconfigPath);
                uninstalled.Succeeded.Should().BeTrue(uninstalled.ToString());
            }
        }
    }
}
