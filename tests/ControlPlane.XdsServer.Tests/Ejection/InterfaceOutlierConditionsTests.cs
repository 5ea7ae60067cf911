using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.ObjectStatus;
using k8s.Models;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// The status conditions an xds-server writes: Accepted from the spec and the mesh, MosnIgnoresOutlierDetection
/// only ever turning True within a generation, and nothing written when the status already says it.
/// </summary>
public sealed class InterfaceOutlierConditionsTests
{
    private static readonly DateTime Now = new(2021, 5, 18, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Later = Now.AddMinutes(5);

    private static InterfaceOutlierStatusTracker.Entry Valid(long generation, bool mosn = false) =>
        new(new InterfaceOutlierStatusTracker.Observation(generation, null), mosn ? new InterfaceOutlierStatusTracker.MosnReceipt("sidecar~10.0.0.1~web.shop~shop.svc.cluster.local", "outbound|8080||payments.shop.svc.cluster.local|interface-pay", Now) : null);

    [Fact]
    public void A_valid_object_in_use_is_accepted_and_no_mosn_proxy_is_the_default()
    {
        var status = InterfaceOutlierConditions.Desired(3, Valid(3), shadowed: false, "in use for host h", null, Now)!;

        status.ObservedGeneration.Should().Be(3);
        Condition(status, "Accepted").Should().BeEquivalentTo(new { Status = "True", Reason = "Accepted", Message = "in use for host h", ObservedGeneration = 3L, LastTransitionTime = (DateTime?)Now });
        Condition(status, "MosnIgnoresOutlierDetection").Should().BeEquivalentTo(new { Status = "False", Reason = "NoMosnProxy", ObservedGeneration = 3L });
    }

    [Fact]
    public void An_invalid_generation_says_why_and_that_the_last_valid_spec_stays()
    {
        var entry = new InterfaceOutlierStatusTracker.Entry(new InterfaceOutlierStatusTracker.Observation(4, "spec.interfaces[0].match.uri.regex: lookahead"), null);

        var status = InterfaceOutlierConditions.Desired(4, entry, shadowed: false, "in use", null, Now)!;

        Condition(status, "Accepted").Should().BeEquivalentTo(new { Status = "False", Reason = "Invalid", Message = "spec.interfaces[0].match.uri.regex: lookahead; the last valid spec, if any, stays in use" });
    }

    [Fact]
    public void A_shadowed_object_is_a_conflict()
    {
        var status = InterfaceOutlierConditions.Desired(1, Valid(1), shadowed: true, "host h, every port, is taken by the older shop/first", null, Now)!;

        Condition(status, "Accepted").Should().BeEquivalentTo(new { Status = "False", Reason = "Conflict", Message = "host h, every port, is taken by the older shop/first" });
    }

    [Fact]
    public void A_mosn_receipt_turns_the_mosn_condition_true_naming_the_proxy_and_cluster()
    {
        var before = InterfaceOutlierConditions.Desired(2, Valid(2), false, "in use", null, Now);

        var status = InterfaceOutlierConditions.Desired(2, Valid(2, mosn: true), false, "in use", before, Later)!;

        var mosn = Condition(status, "MosnIgnoresOutlierDetection");
        mosn.Status.Should().Be("True");
        mosn.Reason.Should().Be("MosnProxyReceived");
        mosn.Message.Should().Contain("sidecar~10.0.0.1~web.shop~shop.svc.cluster.local").And.Contain("outbound|8080||payments.shop.svc.cluster.local|interface-pay").And.Contain("ignores outlier_detection");
        mosn.LastTransitionTime.Should().Be(Later);
        Condition(status, "Accepted").LastTransitionTime.Should().Be(Now, "Accepted did not change");
    }

    [Fact]
    public void A_replica_without_mosn_proxies_never_turns_another_replicas_true_back_within_a_generation()
    {
        var fromOther = InterfaceOutlierConditions.Desired(2, Valid(2, mosn: true), false, "in use", null, Now);

        InterfaceOutlierConditions.Desired(2, Valid(2), false, "in use", fromOther, Later).Should().BeNull("the status already says all this replica knows");
    }

    [Fact]
    public void A_new_generation_starts_the_mosn_condition_again_at_false()
    {
        var old = InterfaceOutlierConditions.Desired(2, Valid(2, mosn: true), false, "in use", null, Now);

        var status = InterfaceOutlierConditions.Desired(3, Valid(3), false, "in use", old, Later)!;

        Condition(status, "MosnIgnoresOutlierDetection").Should().BeEquivalentTo(new { Status = "False", ObservedGeneration = 3L, LastTransitionTime = (DateTime?)Later });
    }

    [Fact]
    public void Nothing_is_written_when_the_status_already_says_it()
    {
        var status = InterfaceOutlierConditions.Desired(5, Valid(5), false, "in use", null, Now);

        InterfaceOutlierConditions.Desired(5, Valid(5), false, "in use", status, Later).Should().BeNull();
        InterfaceOutlierConditions.Desired(5, Valid(5), false, "in use for other interfaces", status, Later).Should().NotBeNull();
    }

    [Fact]
    public void Messages_are_bounded()
    {
        var entry = new InterfaceOutlierStatusTracker.Entry(new InterfaceOutlierStatusTracker.Observation(1, new string('x', 5000)), null);

        Condition(InterfaceOutlierConditions.Desired(1, entry, false, "", null, Now)!, "Accepted").Message.Should().HaveLength(InterfaceOutlierConditions.MaxMessageLength);
    }

    [Fact]
    public void The_tracker_wakes_the_writer_once_per_generation_and_first_mosn_receipt()
    {
        var tracker = new InterfaceOutlierStatusTracker();
        var woken = new List<ObjectKey>();
        tracker.Changed += woken.Add;
        var key = new ObjectKey("shop", "payments");

        tracker.Observed(key, 1, null);
        tracker.Observed(key, 1, null);
        tracker.MosnReceived(key, "a", "c");
        tracker.MosnReceived(key, "b", "c");
        tracker.Observed(key, 2, null);

        woken.Should().HaveCount(3);
        tracker.Get(key)!.Mosn.Should().BeNull("a new generation is judged afresh");
        tracker.Deleted(key);
        tracker.Get(key).Should().BeNull();
    }

    private static V1Condition Condition(InterfaceOutlierDetectionStatus status, string type) => status.Conditions!.Single(c => c.Type == type);
}
