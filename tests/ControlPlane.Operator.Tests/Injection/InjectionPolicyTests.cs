using ControlPlane.Operator.Injection;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Injection;

public sealed class InjectionPolicyTests
{
    private static readonly InjectionSettings Settings = InjectionSettings.Defaults("xds-server.istio-system.svc:15010");

    [Theory]
    [InlineData("istio-injection=enabled", "", true, "envoy")]
    [InlineData("istio-injection=disabled", "", false, "istio-injection=disabled")]
    [InlineData("istio-injection=enabled", "sidecar.istio.io/inject=false", false, "sidecar.istio.io/inject=false")]
    [InlineData("istio-injection=enabled", "sidecar.istio.io/inject=no", false, "sidecar.istio.io/inject=no")]
    [InlineData("istio.io/rev=default", "", true, "envoy")]
    [InlineData("istio.io/rev=canary", "", false, "istio.io/rev=canary, not this injector's revision default")]
    [InlineData("", "", false, "not enabled")]
    [InlineData("", "sidecar.istio.io/inject=true", true, "envoy")]
    [InlineData("", "sidecar.istio.io/inject=yes", true, "envoy")]
    [InlineData("istio-injection=enabled,mesh.controlplane.io/proxy-flavor=mosn", "", true, "mosn")]
    [InlineData("istio-injection=enabled,mesh.controlplane.io/proxy-flavor=mosn", "mesh.controlplane.io/proxy-flavor=envoy", true, "envoy")]
    public void Follows_istio_rules_and_flavor_overrides(string namespaceLabels, string podAnnotations, bool inject, string reason)
    {
        var decision = InjectionPolicy.Decide(Pod(podAnnotations), "shop", new V1ObjectMeta { Labels = Parse(namespaceLabels) }, Settings);

        decision.Inject.Should().Be(inject);
        decision.Allowed.Should().BeTrue();
        decision.Reason.Should().Contain(reason);
    }

    [Theory]
    [InlineData("canary", "", "istio.io/rev=canary", true, "envoy")]
    [InlineData("default", "", "istio.io/rev=default", true, "envoy")]
    [InlineData("default", "", "istio.io/rev=canary", false, "istio.io/rev=canary, not this injector's revision default")]
    [InlineData("canary", "", "istio.io/rev=default", false, "istio.io/rev=default, not this injector's revision canary")]
    [InlineData("canary", "", "istio.io/rev=canary,sidecar.istio.io/inject=false", false, "sidecar.istio.io/inject=false")]
    [InlineData("canary", "", "sidecar.istio.io/inject=true", false, "selects the default revision, not canary")]
    [InlineData("default", "", "sidecar.istio.io/inject=true,istio.io/rev=canary", false, "not this injector's revision default")]
    [InlineData("canary", "istio.io/rev=canary", "", true, "envoy")]
    [InlineData("canary", "istio-injection=enabled", "", false, "selects the default revision, not canary")]
    [InlineData("canary", "istio.io/rev=default", "istio.io/rev=canary", false, "namespace shop has istio.io/rev=default")]
    [InlineData("default", "istio-injection=enabled", "istio.io/rev=canary", true, "envoy")]
    [InlineData("canary", "", "", false, "istio.io/rev=canary)")]
    public void Revisions_select_pods_as_istio_webhooks_do(string revision, string namespaceLabels, string podLabels, bool inject, string reason)
    {
        var pod = Pod(string.Empty);
        pod.Metadata.Labels = Parse(podLabels);

        var decision = InjectionPolicy.Decide(pod, "shop", new V1ObjectMeta { Labels = Parse(namespaceLabels) }, Settings with { Revision = revision });

        decision.Inject.Should().Be(inject, decision.Reason);
        decision.Reason.Should().Contain(reason);
    }

    [Fact]
    public void Host_network_pods_are_skipped()
    {
        var pod = Pod(string.Empty);
        pod.Spec.HostNetwork = true;

        InjectionPolicy.Decide(pod, "shop", Enabled(), Settings).Should().Be(InjectionDecision.Skip("pod uses hostNetwork"));
    }

    [Fact]
    public void A_pod_is_never_injected_twice()
    {
        var pod = Pod(string.Empty);
        pod.Spec.Containers.Add(new V1Container { Name = "istio-proxy" });

        InjectionPolicy.Decide(pod, "shop", Enabled(), Settings).Inject.Should().BeFalse();
    }

    [Fact]
    public void System_namespaces_are_never_injected()
    {
        InjectionPolicy.Decide(Pod(string.Empty), "kube-system", Enabled(), Settings).Reason.Should().Contain("never injected");
    }

    [Fact]
    public void An_unknown_flavor_is_refused_with_the_reason()
    {
        var decision = InjectionPolicy.Decide(Pod("mesh.controlplane.io/proxy-flavor=nginx"), "shop", Enabled(), Settings);

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Contain("nginx").And.Contain("envoy or mosn");
    }

    [Fact]
    public void Reasons_show_only_the_start_of_a_long_annotation_value()
    {
        var decision = InjectionPolicy.Decide(Pod("mesh.controlplane.io/proxy-flavor=" + new string('x', 10_000)), "shop", Enabled(), Settings);

        decision.Reason.Length.Should().BeLessThan(200);
    }

    private static V1ObjectMeta Enabled() => new() { Labels = Parse("istio-injection=enabled") };

    private static V1Pod Pod(string annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", Annotations = Parse(annotations) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
    };

    private static Dictionary<string, string> Parse(string pairs) =>
        pairs.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
}
