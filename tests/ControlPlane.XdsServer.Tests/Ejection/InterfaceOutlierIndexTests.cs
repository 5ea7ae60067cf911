using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Tests.Indexes;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>Which InterfaceOutlierDetection applies to a host and port: short names, port precedence, the oldest of equals.</summary>
public sealed class InterfaceOutlierIndexTests
{
    private const string Host = "payments.shop.svc.cluster.local";

    private static string Iod(string ns, string name, string host = "payments", int port = 0, int second = 0, string subsets = "") =>
        "apiVersion: mesh.controlplane.io/v1alpha1\nkind: InterfaceOutlierDetection\n" +
        $"metadata:\n  name: {name}\n  namespace: {ns}\n  creationTimestamp: \"2021-05-18T10:00:{second:00}Z\"\n" +
        $"spec:\n  host: {host}\n" + (port == 0 ? "" : $"  port: {port}\n") + subsets +
        $"  interfaces:\n  - name: {name}\n    match: {{uri: {{exact: /{name}}}}}\n    outlierDetection: {{consecutive5xxErrors: 3}}\n";

    [Fact]
    public void A_short_host_is_a_service_of_the_objects_namespace_and_applies_to_every_port()
    {
        var index = InterfaceOutlierIndex.Of(IndexMesh.Of(Iod("shop", "pay")));

        var policy = index.For(Host, 8080);
        policy.Should().NotBeNull();
        policy!.Source.Key.Should().Be(new ObjectKey("shop", "pay"));
        policy.Host.Should().Be(Host);
        policy.Interfaces.Select(i => i.Name).Should().Equal("pay");
        index.For(Host, 9090).Should().BeSameAs(policy);
        index.For("payments.other.svc.cluster.local", 8080).Should().BeNull();
        index.HostOf(new ObjectKey("shop", "pay")).Should().Be(Host);
    }

    [Fact]
    public void A_fully_qualified_host_from_another_namespace_applies_as_written()
    {
        var index = InterfaceOutlierIndex.Of(IndexMesh.Of(Iod("ops", "pay", host: Host), Iod("ops", "api", host: "api.example.com")));

        index.For(Host, 8080)!.Source.Key.Should().Be(new ObjectKey("ops", "pay"));
        index.For("api.example.com", 443)!.Source.Key.Should().Be(new ObjectKey("ops", "api"));
    }

    [Fact]
    public void An_object_naming_the_port_wins_over_one_naming_none_and_the_oldest_of_equals_wins()
    {
        var index = InterfaceOutlierIndex.Of(IndexMesh.Of(
            Iod("shop", "any-port", second: 1),
            Iod("shop", "newer", port: 8080, second: 3),
            Iod("shop", "older", port: 8080, second: 2)));

        index.For(Host, 8080)!.Source.Key.Name.Should().Be("older");
        index.For(Host, 9090)!.Source.Key.Name.Should().Be("any-port");
        index.ShadowedBy(new ObjectKey("shop", "newer")).Should().Be(new ObjectKey("shop", "older"));
        index.ShadowedBy(new ObjectKey("shop", "older")).Should().BeNull();
        index.ShadowedBy(new ObjectKey("shop", "any-port")).Should().BeNull("it still applies to the other ports");
    }

    [Fact]
    public void Subsets_limit_the_clusters_that_get_interface_clusters()
    {
        var all = InterfaceOutlierIndex.Of(IndexMesh.Of(Iod("shop", "pay"))).For(Host, 8080)!;
        var some = InterfaceOutlierIndex.Of(IndexMesh.Of(Iod("shop", "pay", subsets: "  subsets: [v1]\n"))).For(Host, 8080)!;

        all.AppliesTo(null).Should().BeTrue();
        all.AppliesTo("v2").Should().BeTrue();
        some.AppliesTo("v1").Should().BeTrue();
        some.AppliesTo("v2").Should().BeFalse();
        some.AppliesTo(null).Should().BeFalse("listed subsets only");
    }

    [Fact]
    public void A_policy_keeps_its_instance_while_its_object_does()
    {
        var mesh = new IndexMesh();
        var first = InterfaceOutlierIndex.Of(mesh.Set(Iod("shop", "pay"), Iod("shop", "refund", host: "refunds"))).For(Host, 8080);

        var unchanged = InterfaceOutlierIndex.Of(mesh.Set(Iod("shop", "pay"), Iod("shop", "refund", host: "refunds", port: 80))).For(Host, 8080);
        var changed = InterfaceOutlierIndex.Of(mesh.Set(Iod("shop", "pay", port: 8080), Iod("shop", "refund", host: "refunds", port: 80))).For(Host, 8080);

        unchanged.Should().BeSameAs(first);
        changed.Should().NotBeSameAs(first);
    }
}
