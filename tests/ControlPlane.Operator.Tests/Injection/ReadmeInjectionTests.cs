using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Injection;

/// <summary>The README's annotated pod is injected as the README says.</summary>
public sealed class ReadmeInjectionTests
{
    [Fact]
    public void The_annotated_pod_in_the_readme_gets_the_sidecar_it_describes()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var snippet = readme.Split("```yaml\n").Skip(1).Select(block => block[..block.IndexOf("```", StringComparison.Ordinal)])
            .Single(block => block.Contains("sidecar.istio.io/proxyCPU", StringComparison.Ordinal));

        var injected = InjectedPod.Of(KubernetesYaml.Deserialize<V1Pod>(snippet));

        injected.Outcome.Warnings.Should().BeEmpty();
        injected.Expect("proxy:/resources={\"requests\":{\"cpu\":\"50m\"}}");
        injected.Expect("pod:/spec/containers/0/name=istio-proxy");
        injected.Expect("init:/args~\"-o\",\"6379\"");
        injected.Expect("app:/readinessProbe/httpGet={\"path\":\"/app-health/api/readyz\",\"port\":15020}");
    }
}
