using System.Text.Json.Nodes;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.ObjectStatus;
using ControlPlane.XdsServer.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// With --kubernetes the xds-server writes InterfaceOutlierDetection status: Accepted (valid and in use, invalid,
/// or shadowed by an older object for the same host) and MosnIgnoresOutlierDetection; two replicas do not undo each other.
/// </summary>
public sealed class InterfaceOutlierStatusTests
{
    private const string Group = "mesh.controlplane.io";
    private const string Version = "v1alpha1";
    private const string Plural = "interfaceoutlierdetections";

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Status_says_accepted_invalid_or_conflict_and_follows_the_objects_of_its_host()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(cluster);
        await using var server = await StartAsync(cluster);
        var ns = await cluster.CreateNamespaceAsync("iod-status");

        await CreateAsync(cluster, ns, "first", "/pay");
        var first = await ConditionAsync(cluster, ns, "first", "Accepted", c => c.Status == "True");
        first.Reason.Should().Be("Accepted");
        first.Message.Should().Be($"in use for host payments.{ns}.svc.cluster.local, every port: interfaces pay");
        first.ObservedGeneration.Should().Be(1);

        await CreateAsync(cluster, ns, "second", "/pay");
        var conflict = await ConditionAsync(cluster, ns, "second", "Accepted", c => c.Reason == "Conflict");
        conflict.Status.Should().Be("False");
        conflict.Message.Should().Be($"host payments.{ns}.svc.cluster.local, every port, is taken by the older {ns}/first; this object is not in use");

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, Plural, "first");
        await ConditionAsync(cluster, ns, "second", "Accepted", c => c.Status == "True");

        var broken = new JsonObject { ["spec"] = new JsonObject { ["interfaces"] = new JsonArray(Interface("pay", "(?=x)")) } };
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(broken.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, "second");
        var invalid = await ConditionAsync(cluster, ns, "second", "Accepted", c => c.Reason == "Invalid");
        invalid.Status.Should().Be("False");
        invalid.ObservedGeneration.Should().Be(2);
        invalid.Message.Should().Be("InterfaceOutlierDetection " + ns + "/second: spec.interfaces[0].match.uri.regex: lookahead and lookbehind are not supported by RE2; Istio uses RE2 style regex-based match; the last valid spec, if any, stays in use");
        (await ConditionAsync(cluster, ns, "second", "MosnIgnoresOutlierDetection", c => c.ObservedGeneration == 2)).Status.Should().Be("False");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_mosn_receipt_on_one_replica_turns_the_condition_true_and_another_replica_leaves_it()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(cluster);
        await using var withMosn = await StartAsync(cluster);
        await using var without = await StartAsync(cluster);
        var ns = await cluster.CreateNamespaceAsync("iod-mosn");
        await CreateAsync(cluster, ns, "payments", "/pay");
        await ConditionAsync(cluster, ns, "payments", "MosnIgnoresOutlierDetection", c => c.Status == "False");
        await Eventually.Until(() => withMosn.Services.GetRequiredService<InterfaceOutlierStatusTracker>().Get(new ObjectKey(ns, "payments"))?.Observation.Generation == 1, "the replica to have read the object");

        withMosn.Services.GetRequiredService<InterfaceOutlierStatusTracker>().MosnReceived(new ObjectKey(ns, "payments"), "sidecar~10.0.0.9~web.shop~shop.svc.cluster.local", "outbound|8080||payments|interface-pay");

        var mosn = await ConditionAsync(cluster, ns, "payments", "MosnIgnoresOutlierDetection", c => c.Status == "True");
        mosn.Message.Should().Contain("sidecar~10.0.0.9~web.shop~shop.svc.cluster.local");

        // A newer object of the host makes both replicas check this one again; the one without MOSN proxies leaves it True.
        bool IsCurrent(TestLogSink.LoggedEvent e) => e.Message.Contains(ns, StringComparison.Ordinal) && e.Message.Contains("payments", StringComparison.Ordinal) && e.Message.EndsWith("generation 1: status is current", StringComparison.Ordinal);
        var checkedBefore = without.Logs.Events.Count(IsCurrent);
        // Named to sort after payments: created in the same second, istiod's order falls back to name.namespace.
        await CreateAsync(cluster, ns, "zz-later", "/later");
        await Eventually.Until(() => without.Logs.Events.Count(IsCurrent) > checkedBefore, "the replica without MOSN proxies to check the object again");
        (await ConditionAsync(cluster, ns, "payments", "MosnIgnoresOutlierDetection", _ => true)).Status.Should().Be("True", "no replica turns it back within the generation");
    }

    private static Task<XdsServerInstance> StartAsync(TestCluster cluster) =>
        XdsServerInstance.StartAsync(configure: options =>
        {
            options.ConfigDir = null;
            options.Kubeconfig = cluster.KubeconfigPath;
        });

    private static Task CreateAsync(TestCluster cluster, string ns, string name, string path) =>
        cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = $"{Group}/{Version}",
                ["kind"] = "InterfaceOutlierDetection",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject { ["host"] = "payments", ["interfaces"] = new JsonArray(Interface("pay", null, path)) },
            },
            Group, Version, ns, Plural);

    private static JsonObject Interface(string name, string? regex, string? exact = null) => new()
    {
        ["name"] = name,
        ["match"] = new JsonObject { ["uri"] = regex is null ? new JsonObject { ["exact"] = exact } : new JsonObject { ["regex"] = regex } },
        ["outlierDetection"] = new JsonObject { ["consecutive5xxErrors"] = 3 },
    };

    private static async Task<V1Condition> ConditionAsync(TestCluster cluster, string ns, string name, string type, Func<V1Condition, bool> until)
    {
        V1Condition? found = null;
        await Eventually.Until(
            async () =>
            {
                var resource = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<InterfaceOutlierDetectionResource>(Group, Version, ns, Plural, name);
                found = resource.Status?.Conditions?.FirstOrDefault(c => c.Type == type);
                return found;
            },
            c => c is not null && until(c),
            $"{ns}/{name} to have a matching {type} condition");
        return found!;
    }
}
