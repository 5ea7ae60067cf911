using ControlPlane.Chart.Tests.Infrastructure;
using ControlPlane.EndToEnd.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit.Abstractions;

namespace ControlPlane.Chart.Tests;

/// <summary>
/// The real helm installs the chart through the API server's HTTP protocol: the fake's, or a real
/// cluster's with CONTROLPLANE_TEST_KUBECONFIG (the "helm install, no --wait").
/// </summary>
public sealed class HelmInstallTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task The_chart_installs_and_its_crds_become_established()
    {
        await using var cluster = await TestCluster.StartAsync();
        var (ns, release) = await InstallAsync(cluster);
        var fullname = $"{release}-controlplane";
        try
        {
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
            await UninstallAsync(cluster, ns, release);
        }
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Uninstall_leaves_no_lease_or_certificate_secret_of_the_operator_behind_only_the_crds()
    {
        await using var cluster = await TestCluster.StartAsync();
        var (ns, release) = await InstallAsync(cluster);
        var operatorName = $"{release}-controlplane-operator";
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(operatorName, ns);
        var args = deployment.Spec.Template.Spec.Containers.Single().Args;
        string Arg(string name) => args[args.IndexOf(name) + 1];

        // The chart's own arguments, run by the real operator here (no image needed); only the
        // namespace the pod would be told, the kubeconfig, and free ports are filled in.
        await using (var op = ControlPlaneProcess.Start("operator", [.. LocalArguments(args, ns), "--kubeconfig", cluster.KubeconfigPath, "--listen-address", "127.0.0.1"], output))
        {
            await op.WaitReadyAsync();
            var lease = await Eventually.Until(
                () => cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(Arg("--lease-name"), ns),
                l => l.Metadata.OwnerReferences?.Count > 0,
                "the operator's Lease, with its owner");
            var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync(Arg("--cert-secret"), ns);
            foreach (var metadata in new[] { lease.Metadata, secret.Metadata })
            {
                metadata.OwnerReferences.Should().ContainSingle().Which.Uid.Should().Be(deployment.Metadata.Uid, $"{metadata.Name} is owned by the Deployment helm deletes");
            }
        }

        // The operator's pods go with the uninstall too; it must not be there to make the objects again.
        await UninstallAsync(cluster, ns, release);

        await Eventually.Until(
            async () => (await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count,
            count => count == 0,
            "helm to delete the Deployments");
        if (cluster.IsReal)
        {
            // Collecting them is the controller-manager's garbage collector's job, which a bare API server
            // lacks: what is checked is that nothing else holds them (their only owner is gone).
            var lease = await FindAsync(() => cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(Arg("--lease-name"), ns));
            var secret = await FindAsync(() => cluster.Client.CoreV1.ReadNamespacedSecretAsync(Arg("--cert-secret"), ns));
            foreach (var metadata in new[] { lease?.Metadata, secret?.Metadata }.OfType<V1ObjectMeta>())
            {
                metadata.OwnerReferences.Should().OnlyContain(r => r.Uid == deployment.Metadata.Uid);
            }
        }
        else
        {
            await Eventually.Until(
                async () => (await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync(ns)).Items.Count + (await cluster.Client.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count,
                left => left == 0,
                "the garbage collector to delete the Lease and the certificate Secret");
        }

        // What stays, by Helm's rule: the CRDs it installed from crds/ (and with them any custom resources).
        foreach (var crd in CrdFiles.InChart().SelectMany(file => CrdFiles.Parse(File.ReadAllText(file))))
        {
            (await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name)).Metadata.Name.Should().Be(crd.Metadata.Name);
        }
    }

    /// <summary>helm install of the chart into a fresh namespace, the release named after it (unique, so cluster-scoped names do not meet another install's).</summary>
    private static async Task<(string Namespace, string Release)> InstallAsync(TestCluster cluster)
    {
        var ns = await cluster.CreateNamespaceAsync("helm");
        // The images may not be pullable where this runs: Ignore keeps the webhook from refusing
        // other tests' pods while no operator answers.
        var install = new List<string>
        {
            "install", ns, RepoPaths.Chart, "--namespace", ns, "--kubeconfig", cluster.KubeconfigPath,
            "--set", "webhook.failurePolicy=Ignore",
        };
        if (!cluster.IsReal)
        {
            // The fake serves no OpenAPI document; a real API server's validates the manifests.
            install.Add("--disable-openapi-validation");
        }

        var installed = await Helm.RunAsync([.. install]);
        installed.Succeeded.Should().BeTrue(installed.ToString());
        return (ns, ns);
    }

    private static async Task UninstallAsync(TestCluster cluster, string ns, string release)
    {
        var uninstalled = await Helm.RunAsync("uninstall", release, "--namespace", ns, "--kubeconfig", cluster.KubeconfigPath);
        uninstalled.Succeeded.Should().BeTrue(uninstalled.ToString());
    }

    /// <summary>The container's arguments for a run on this machine: the pod's namespace filled in, ports the OS picks.</summary>
    private static IEnumerable<string> LocalArguments(IList<string> args, string ns)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i].Replace("$(POD_NAMESPACE)", ns, StringComparison.Ordinal);
            yield return arg;
            if (arg is "--webhook-port" or "--http-port")
            {
                yield return "0";
                i++;
            }
        }
    }

    private static async Task<T?> FindAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
