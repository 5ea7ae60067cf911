using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Lifecycle;

/// <summary>
/// What the operator creates in its namespace (Lease, generated certificate Secret) is owned by its
/// Deployment, so the garbage collector deletes it once the Deployment goes (helm uninstall).
/// </summary>
public sealed class OwnershipTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private string _ns = null!;
    private V1Deployment _deployment = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        _ns = await _cluster.CreateNamespaceAsync("cp");
        _deployment = await _cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(OperatorDeployment("controlplane-operator"), _ns);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task The_lease_and_generated_secret_are_owned_by_the_operator_deployment()
    {
        await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o => o.OwnerDeployment = _deployment.Metadata.Name);
        await Eventually.Until(() => op.IsLeader, "the only replica to lead");

        var lease = await Eventually.Until(
            () => _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(op.Options.LeaseName, _ns),
            l => l.Metadata.OwnerReferences?.Count > 0,
            "the Lease to carry its owner");
        var secret = await _cluster.Client.CoreV1.ReadNamespacedSecretAsync(op.Options.CertSecret, _ns);

        foreach (var metadata in new[] { lease.Metadata, secret.Metadata })
        {
            var owner = metadata.OwnerReferences.Should().ContainSingle().Subject;
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid).Should().Be(("apps/v1", "Deployment", _deployment.Metadata.Name, _deployment.Metadata.Uid));
            owner.BlockOwnerDeletion.Should().NotBe(true, "that would need update on deployments/finalizers, which the chart does not grant");
        }
    }

    [Fact]
    public async Task Deleting_the_deployment_lets_the_garbage_collector_delete_lease_and_secret()
    {
        // A real cluster needs its controller-manager for this; the fake's garbage collector stands in.
        _cluster.Fake.Should().NotBeNull("this needs a garbage collector, which a bare API server lacks");
        await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o => o.OwnerDeployment = _deployment.Metadata.Name);
        await Eventually.Until(
            async () => (await _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(op.Options.LeaseName, _ns)).Metadata.OwnerReferences?.Count ?? 0,
            owners => owners > 0,
            "the Lease to carry its owner");
        await op.StopAsync();

        await _cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync(_deployment.Metadata.Name, _ns);

        await Eventually.Until(
            async () => (await _cluster.Client.CoordinationV1.ListNamespacedLeaseAsync(_ns)).Items.Count + (await _cluster.Client.CoreV1.ListNamespacedSecretAsync(_ns)).Items.Count,
            left => left == 0,
            "the Lease and Secret to be collected");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_lease_and_secret_made_before_an_owner_was_configured_are_adopted()
    {
        await using (var before = await OperatorInstance.StartAsync(_cluster, _ns))
        {
            await Eventually.Until(() => before.IsLeader, "the first replica to lead");
        }

        await using var op = await OperatorInstance.StartAsync(_cluster, _ns, o => o.OwnerDeployment = _deployment.Metadata.Name);

        await Eventually.Until(
            async () => (await _cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(op.Options.LeaseName, _ns)).Metadata.OwnerReferences?.SingleOrDefault()?.Uid,
            uid => uid == _deployment.Metadata.Uid,
            "the Lease to be adopted");
        await Eventually.Until(
            async () => (await _cluster.Client.CoreV1.ReadNamespacedSecretAsync(op.Options.CertSecret, _ns)).Metadata.OwnerReferences?.SingleOrDefault()?.Uid,
            uid => uid == _deployment.Metadata.Uid,
            "the Secret to be adopted");
    }

    private static V1Deployment OperatorDeployment(string name)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                // None: nothing is to run; the object only stands for the chart's Deployment.
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "operator", Image = "controlplane/operator:test" }] },
                },
            },
        };
    }
}
