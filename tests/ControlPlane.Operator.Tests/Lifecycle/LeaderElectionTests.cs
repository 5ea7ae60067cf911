using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

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

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_replica_that_becomes_leader_issues_the_certificate_at_once_not_at_its_next_check()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync("cp");
        // Someone else leads for now.
        await cluster.Client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = "controlplane-operator" },
                Spec = new V1LeaseSpec { HolderIdentity = "elsewhere", LeaseDurationSeconds = 3600, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow },
            },
            ns);
        await using var op = await OperatorInstance.StartAsync(cluster, ns, o => o.CertCheckInterval = TimeSpan.FromHours(1), waitReady: false);
        await Eventually.Until(() => op.Logs.Messages.Any(m => m.Contains("Not leading", StringComparison.Ordinal)), "the follower's first certificate check");

        await cluster.Client.CoordinationV1.DeleteNamespacedLeaseAsync("controlplane-operator", ns);

        await Eventually.Until(() => op.IsLeader, "the replica to take the free Lease");
        await Eventually.Until(
            async () => (await op.Http.GetAsync("/healthz/ready")).IsSuccessStatusCode,
            ready => ready,
            "the new leader to issue the webhook certificate well before its hourly check");
    }
}
