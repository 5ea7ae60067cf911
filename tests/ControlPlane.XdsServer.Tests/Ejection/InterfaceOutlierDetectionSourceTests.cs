using System.Text.Json.Nodes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>InterfaceOutlierDetections reach the model from both sources; an invalid one is logged with its field path and skipped.</summary>
public sealed class InterfaceOutlierDetectionSourceTests
{
    private const string Payments = """
        apiVersion: mesh.controlplane.io/v1alpha1
        kind: InterfaceOutlierDetection
        metadata: {name: payments, namespace: shop}
        spec:
          host: payments
          interfaces:
          - name: pay
            match: {uri: {exact: /pay}}
            outlierDetection: {consecutive5xxErrors: 3}
        """;

    [Fact]
    public async Task From_the_config_dir_it_lands_typed_and_an_invalid_one_is_logged_with_its_field_path()
    {
        var broken = Payments.Replace("name: payments", "name: broken", StringComparison.Ordinal).Replace("exact: /pay", "regex: '(a)\\1'", StringComparison.Ordinal);
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["iod.yaml"] = Manifests.Join(Payments, broken) });

        await Eventually.Until(() => server.Store.Current.InterfaceOutlierDetections.ContainsKey(new ObjectKey("shop", "payments")), "the InterfaceOutlierDetection in the model");
        var iod = server.Store.Current.InterfaceOutlierDetections[new ObjectKey("shop", "payments")];
        iod.Spec.Interfaces.Single().Match.Uri.Should().Be(StringMatch.Exact("/pay"));
        server.Store.Current.InterfaceOutlierDetections.Should().NotContainKey(new ObjectKey("shop", "broken"));
        await server.Logs.WaitForAsync("iod.yaml", "InterfaceOutlierDetection shop/broken: spec.interfaces[0].match.uri.regex: backreferences are not supported by RE2");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task From_the_cluster_it_lands_typed_and_an_invalid_edit_keeps_the_last_valid_version()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var server = await XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });
        var ns = await cluster.CreateNamespaceAsync("iod");
        await CrdInstaller.EnsureAsync(cluster);
        var key = new ObjectKey(ns, "payments");

        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Object("payments", "/pay"), "mesh.controlplane.io", "v1alpha1", ns, "interfaceoutlierdetections");
        await Eventually.Until(() => server.Store.Current.InterfaceOutlierDetections.ContainsKey(key), "the InterfaceOutlierDetection in the model");
        var valid = server.Store.Current.InterfaceOutlierDetections[key];
        valid.Spec.Interfaces.Single().Match.Uri.Should().Be(StringMatch.Exact("/pay"));
        valid.CreationTimestamp.Should().NotBeNull();

        // Valid to the CRD schema, not to the parser: a regex RE2 does not take.
        var patch = new JsonObject { ["spec"] = new JsonObject { ["interfaces"] = new JsonArray(Interface("pay", new JsonObject { ["regex"] = "(?=x)" })) } };
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), "mesh.controlplane.io", "v1alpha1", ns, "interfaceoutlierdetections", "payments");
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Object("later", "/later"), "mesh.controlplane.io", "v1alpha1", ns, "interfaceoutlierdetections");

        await server.Logs.WaitForAsync("InterfaceOutlierDetection", $"{ns}/payments", "spec.interfaces[0].match.uri.regex: lookahead and lookbehind are not supported by RE2");
        await Eventually.Until(() => server.Store.Current.InterfaceOutlierDetections.ContainsKey(new ObjectKey(ns, "later")), "the object created after the edit in the model");
        server.Store.Current.InterfaceOutlierDetections[key].Should().BeSameAs(valid, "an object that turns invalid keeps its last valid version");
    }

    private static JsonObject Object(string name, string path) => new()
    {
        ["apiVersion"] = "mesh.controlplane.io/v1alpha1",
        ["kind"] = "InterfaceOutlierDetection",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["host"] = "payments",
            ["interfaces"] = new JsonArray(Interface("pay", new JsonObject { ["exact"] = path })),
        },
    };

    private static JsonObject Interface(string name, JsonObject uri) => new()
    {
        ["name"] = name,
        ["match"] = new JsonObject { ["uri"] = uri },
        ["outlierDetection"] = new JsonObject { ["consecutive5xxErrors"] = 3 },
    };
}
