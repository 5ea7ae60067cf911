using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;

namespace ControlPlane.Operator.Tests.Lifecycle;

public sealed class LeaderElectionTests
{
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Exactly_one_replica_leads_and_another_takes_over_when_it_stops()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync("cp");
        await using var first = await OperatorInstance.StartAsync(cluster, ns, o => o.Identity = "first");
        await using var second = await OperatorInstance.StartAsync(cluster, ns, o => o.Identity = "second");

        await Eventually.Until(() => first.IsLeader ^ second.IsLeader, "exactly one leader");
        var (leader, follower) = first.IsLeader ? (first, second) : (second, first);

        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(leader.Options.LeaseName, ns);
        lease.Spec.HolderIdentity.Should().Be(leader.Options.Identity);
        (await follower.Http.GetAsync("/healthz/ready")).IsSuccessStatusCode.Should().BeTrue("every replica serves the webhook");

        await leader.StopAsync();

        await Eventually.Until(() => follower.IsLeader, "the other replica to take over");
        await Eventually.Until(
            async () => (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(follower.Options.LeaseName, ns)).Spec.HolderIdentity,
            holder => holder == follower.Options.Identity,
            "the Lease to name the new leader");
    }
}
