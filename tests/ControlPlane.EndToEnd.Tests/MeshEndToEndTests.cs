using ControlPlane.EndToEnd.Tests.Infrastructure;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace ControlPlane.EndToEnd.Tests;

/// <summary>
/// What a platform team sees: with xds-server and the operator running as their own processes against
/// the cluster, a pod created in a namespace labelled for its revision comes back with a sidecar pointed at that
/// xds-server, and a Service with an EndpointSlice shows up in an xDS client's clusters and endpoints.
/// </summary>
public sealed class MeshEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Pods_get_sidecars_and_services_reach_proxies_with_both_processes_running()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(cluster);
        var home = await cluster.CreateNamespaceAsync("cp");
        var webhookConfig = $"{home}-sidecar-injector";

        await using var xds = ControlPlaneProcess.Start("xds-server", ["--kubeconfig", cluster.KubeconfigPath, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
        await xds.WaitReadyAsync();
        var discovery = $"127.0.0.1:{await xds.PortOfAsync("grpc")}";

        // On a shared cluster other runs' operators register webhooks for istio-injection=enabled and
        // istio.io/rev=default namespaces: this run injects a revision of its own, named after its
        // namespace, through cluster-scoped settings of its own (a "default" may be someone else's).
        var injector = $"{home}-injector";
        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "mesh.controlplane.io/v1alpha1",
                ["kind"] = "SidecarInjector",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = injector },
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["revision"] = home },
            },
            "mesh.controlplane.io", "v1alpha1", "sidecarinjectors");

        // Port 0 in the URL: the operator registers the port it was given by the OS.
        await using var op = ControlPlaneProcess.Start(
            "operator",
            [
                "--kubeconfig", cluster.KubeconfigPath, "--namespace", home, "--listen-address", "127.0.0.1",
                "--webhook-port", "0", "--http-port", "0", "--webhook-url", "https://127.0.0.1:0/inject",
                "--webhook-config", webhookConfig, "--discovery-address", discovery,
                "--sidecar-injector", injector, "--failure-policy", "Ignore",
            ],
            output);
        try
        {
            await op.WaitReadyAsync();
            var webhookUrl = $"https://127.0.0.1:{await op.PortOfAsync("webhook")}/inject";
            await Eventually.Until(
                async () => (await cluster.Client.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync()).Items.SingleOrDefault(c => c.Metadata.Name == webhookConfig),
                config => config?.Webhooks?.All(w => w.ClientConfig.Url == webhookUrl && w.ClientConfig.CaBundle?.Length > 0) == true,
                "the webhook registered at the operator's port with its CA");

            // The registration selects the default revision's namespaces: narrowed to this run's revision,
            // it never meets other tenants' pods (the operator keeps only URL and caBundle current).
            await Eventually.Until(
                async () =>
                {
                    var config = await cluster.Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(webhookConfig);
                    foreach (var webhook in config.Webhooks)
                    {
                        webhook.NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["istio.io/rev"] = home } };
                    }

                    try
                    {
                        await cluster.Client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(config, webhookConfig);
                        return true;
                    }
                    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                    {
                        return false; // The operator wrote it meanwhile: read again.
                    }
                },
                narrowed => narrowed,
                "the webhook narrowed to this run's revision");

            // CreateNamespaceAsync also makes the namespace's default ServiceAccount, without which the
            // pod is refused on a bare API server (and, for a moment, on any fresh namespace).
            var ns = await cluster.CreateNamespaceAsync("app", new Dictionary<string, string> { ["istio.io/rev"] = home });
            V1Pod Web() => new()
            {
                Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            };

            // A real API server applies a new webhook configuration only once its own watch has seen it:
            // dry runs (the webhook has no side effects) show when it does, without leaving pods behind.
            await Eventually.Until(
                () => cluster.Client.CoreV1.CreateNamespacedPodAsync(Web(), ns, dryRun: "All"),
                shown => shown.Spec.Containers.Any(c => c.Name == "istio-proxy"),
                "the API server to call the registered webhook");
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(Web(), ns);

            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", ns);
            pod.Spec.InitContainers.Select(c => c.Name).Should().Equal("istio-init");
            pod.Spec.Containers.Select(c => c.Name).Should().Equal("web", "istio-proxy");
            pod.Spec.Containers[1].Env.Single(e => e.Name == "PROXY_CONFIG").Value.Should().Contain($"\"discoveryAddress\":\"{discovery}\"");
            pod.Metadata.Annotations.Should().ContainKey("sidecar.istio.io/status");

            await TestServices.CreateWithEndpointAsync(cluster.Client, ns, "web", port: 80, targetPort: 8080, address: "192.0.2.20");

            var grpc = await xds.PortOfAsync("grpc");
            var clusterName = $"outbound|80||web.{ns}.svc.cluster.local";
            await Eventually.Until(
                () => XdsProbe.FetchAsync<Cluster>(grpc, ns, XdsProbe.Cluster),
                clusters => clusters.Any(c => c.Name == clusterName),
                "the service's cluster in CDS");
            await Eventually.Until(
                () => XdsProbe.FetchAsync<ClusterLoadAssignment>(grpc, ns, XdsProbe.Endpoint, clusterName),
                assignments => assignments.SelectMany(a => a.Endpoints).SelectMany(l => l.LbEndpoints)
                    .Any(e => e.Endpoint.Address.SocketAddress is { Address: "192.0.2.20", PortValue: 8080 }),
                "the slice's endpoint in EDS");
        }
        finally
        {
            try
            {
                await cluster.Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(webhookConfig);
            }
            catch (Exception)
            {
                // Never registered.
            }

            await cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync("mesh.controlplane.io", "v1alpha1", "sidecarinjectors", injector);
        }
    }
}
