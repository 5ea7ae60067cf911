using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Api;
using ControlPlane.Operator.Injection;
using ControlPlane.Operator.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Injection;

/// <summary>
/// One folder per case under golden/: pod.yaml, namespace.yaml, optionally injector.yaml (a
/// SidecarInjector), and injected.json — the pod after the webhook's JSON patch is applied.
/// UPDATE_GOLDEN=1 rewrites the expectations.
/// </summary>
public sealed class InjectionGoldenTests
{
    public static TheoryData<string> Cases() => new(Directory.GetDirectories(RepoPaths.Golden).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Injected_pod_matches_the_golden_file(string name)
    {
        var dir = Path.Combine(RepoPaths.Golden, name);
        var podYaml = File.ReadAllText(Path.Combine(dir, "pod.yaml"));
        var pod = KubernetesYaml.Deserialize<V1Pod>(podYaml);
        var ns = KubernetesYaml.Deserialize<V1Namespace>(File.ReadAllText(Path.Combine(dir, "namespace.yaml")));
        var injectorPath = Path.Combine(dir, "injector.yaml");
        var spec = File.Exists(injectorPath) ? KubernetesYaml.Deserialize<SidecarInjector>(File.ReadAllText(injectorPath)).Spec : null;
        var (settings, errors) = InjectionSettings.FromSpec(spec, "xds-server.istio-system.svc:15010");
        errors.Should().BeEmpty();

        var outcome = PodInjector.Inject(pod, ns.Metadata.Name, ns.Metadata, settings!);
        outcome.Decision.Inject.Should().BeTrue(outcome.Decision.Reason);
        outcome.Warnings.Should().BeEmpty();
        var patched = Patches.Apply(JsonNode.Parse(KubernetesJson.Serialize(pod))!, outcome.Patch!);
        var actual = patched.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

        // The patched pod must still be a pod the API server would accept.
        KubernetesJson.Deserialize<V1Pod>(actual).Spec.Containers.Should().Contain(c => c.Name == "istio-proxy");
        var expectedPath = Path.Combine(dir, "injected.json");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        File.Exists(expectedPath).Should().BeTrue($"{name}/injected.json must exist (UPDATE_GOLDEN=1 creates it)");
        actual.Should().Be(File.ReadAllText(expectedPath));
    }
}
