using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>Parsed specs compare by value, collections included: re-reading an unchanged object is no change.</summary>
public sealed class IstioModelEqualityTests
{
    private const string Spec = "hosts: [reviews]\nhttp:\n- match:\n  - headers: {end-user: {exact: jason}, x-b: {prefix: a}}\n  route:\n  - {destination: {host: reviews, subset: v2}, weight: 60}\n  - {destination: {host: reviews, subset: v1}, weight: 40}\n  timeout: 1.5s\n";

    [Fact]
    public void Reading_the_same_spec_twice_gives_equal_objects()
    {
        var first = (VirtualService)IstioSpecs.Parse("VirtualService", Spec).Spec!;
        var second = (VirtualService)IstioSpecs.Parse("VirtualService", Spec.Replace("{end-user: {exact: jason}, x-b: {prefix: a}}", "{x-b: {prefix: a}, end-user: {exact: jason}}", StringComparison.Ordinal)).Spec!;

        second.Should().NotBeSameAs(first);
        second.Should().Be(first);
        second.GetHashCode().Should().Be(first.GetHashCode());
        first.Http[0].Timeout.Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public void A_changed_weight_is_a_different_spec()
    {
        var first = IstioSpecs.Parse("VirtualService", Spec).Spec!;
        var changed = IstioSpecs.Parse("VirtualService", Spec.Replace("weight: 60", "weight: 50", StringComparison.Ordinal).Replace("weight: 40", "weight: 50", StringComparison.Ordinal)).Spec!;

        changed.Should().NotBe(first);
    }
}
