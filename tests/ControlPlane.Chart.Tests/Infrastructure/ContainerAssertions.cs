using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Checks both components' containers share: hardening, namespace env, readiness and liveness probes.</summary>
public static class ContainerAssertions
{
    public static void ShouldBeHardened(V1PodSpec pod, V1Container container)
    {
        pod.SecurityContext.Should().NotBeNull();
        pod.SecurityContext.RunAsNonRoot.Should().BeTrue();
        pod.HostNetwork.Should().NotBe(true);
        pod.HostPID.Should().NotBe(true);

        var security = container.SecurityContext;
        security.Should().NotBeNull();
        security.RunAsNonRoot.Should().BeTrue();
        security.ReadOnlyRootFilesystem.Should().BeTrue();
        security.AllowPrivilegeEscalation.Should().BeFalse();
        security.Privileged.Should().NotBe(true);
        security.Capabilities.Drop.Should().Equal("ALL");
        security.Capabilities.Add.Should().BeNullOrEmpty();
    }

    public static void ShouldHavePodNamespaceFromFieldRef(V1Container container)
    {
        var env = container.Env.Should().ContainSingle(e => e.Name == "POD_NAMESPACE").Subject;
        env.Value.Should().BeNull();
        env.ValueFrom.FieldRef.FieldPath.Should().Be("metadata.namespace");
    }

    public static void ShouldProbe(V1Container container, int monitoringPort)
    {
        var readiness = container.ReadinessProbe;
        readiness.Should().NotBeNull();
        readiness.HttpGet.Should().NotBeNull();
        readiness.HttpGet.Path.Should().Be("/healthz/ready");
        readiness.HttpGet.Port.Value.Should().Be(monitoringPort.ToString());

        var liveness = container.LivenessProbe;
        liveness.Should().NotBeNull();
        var livenessPort = liveness.TcpSocket?.Port ?? liveness.HttpGet?.Port;
        livenessPort.Should().NotBeNull("the liveness probe should check the monitoring port");
        livenessPort!.Value.Should().Be(monitoringPort.ToString());
        (liveness.FailureThreshold ?? 3).Should().BeGreaterThanOrEqualTo(3, "a busy process should not be killed on one miss");
        (liveness.PeriodSeconds ?? 10).Should().BeGreaterThanOrEqualTo(5);
    }

    /// <summary>The value that follows <paramref name="flag"/> in the container's args.</summary>
    public static string ArgValue(V1Container container, string flag)
    {
        var index = container.Args.IndexOf(flag);
        index.Should().BeGreaterThanOrEqualTo(0, $"args should contain {flag}: {string.Join(' ', container.Args)}");
        container.Args.Count.Should().BeGreaterThan(index + 1, $"{flag} should have a value");
        return container.Args[index + 1];
    }
}
