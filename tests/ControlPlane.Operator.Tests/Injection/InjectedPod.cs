using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Injection;
using k8s;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Injection;

/// <summary>
/// A pod (one container "app" with port "http" 8080 and an HTTP readiness probe on it) run through
/// injection in an istio-injection=enabled namespace, and the pod the patch makes of it.
/// </summary>
public sealed class InjectedPod
{
    private InjectedPod(InjectionOutcome outcome, JsonNode? patched)
    {
        Outcome = outcome;
        Patched = patched;
    }

    public InjectionOutcome Outcome { get; }

    /// <summary>The pod after the patch; null when the pod was not injected.</summary>
    public JsonNode? Patched { get; }

    public static V1Pod BasePod(IDictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "app-1", Labels = new Dictionary<string, string> { ["app"] = "app" }, Annotations = annotations },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = "nginx",
                    Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                    ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http" } },
                },
            ],
        },
    };

    public static InjectedPod Of(V1Pod pod, InjectionSettings? settings = null)
    {
        var ns = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["istio-injection"] = "enabled" } };
        var outcome = PodInjector.Inject(pod, "shop", ns, settings ?? InjectionSettings.Defaults("xds-server.istio-system.svc:15010"));
        var patched = outcome.Patch is null ? null : Patches.Apply(JsonNode.Parse(KubernetesJson.Serialize(pod))!, outcome.Patch);
        if (patched is not null)
        {
            // What the API server would store must still be a Pod.
            KubernetesJson.Deserialize<V1Pod>(patched.ToJsonString());
        }

        return new InjectedPod(outcome, patched);
    }

    /// <summary>
    /// Checks an expectation of the form TARGET:PATH OP [VALUE]. TARGET is pod, proxy (istio-proxy), init
    /// (istio-init) or app (the first other container); PATH is '/'-separated, '%2F' standing for '/' in a key, and a non-numeric
    /// segment in a list picks the element of that name (env, volumes, mounts) or path (downward API items); OP is '=' (equals),
    /// '~' (the value's JSON, or text, contains), '^' (does not contain) or '!' (absent). "skipped"
    /// expects no injection.
    /// </summary>
    public void Expect(string expectation)
    {
        if (expectation == "skipped")
        {
            Outcome.Patch.Should().BeNull(Outcome.Decision.Reason);
            Outcome.Decision.Allowed.Should().BeTrue();
            return;
        }

        Patched.Should().NotBeNull($"the pod should be injected ({Outcome.Decision.Reason})");
        var colon = expectation.IndexOf(':');
        var target = expectation[..colon];
        var opIndex = expectation.IndexOfAny(['=', '~', '^', '!'], colon);
        var path = expectation[(colon + 1)..opIndex];
        var op = expectation[opIndex];
        var expected = expectation[(opIndex + 1)..];

        JsonNode? node = target switch
        {
            "pod" => Patched,
            "proxy" => Named(Patched!["spec"]!["containers"], "istio-proxy"),
            "init" => Named(Patched!["spec"]!["initContainers"], "istio-init"),
            "app" => Patched!["spec"]!["containers"]!.AsArray().First(c => c!["name"]!.GetValue<string>() != "istio-proxy"),
            _ => throw new ArgumentException($"unknown target {target}"),
        };
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("%2F", "/", StringComparison.Ordinal)))
        {
            node = node switch
            {
                JsonArray array when int.TryParse(segment, out var index) => index < array.Count ? array[index] : null,
                JsonArray array => Named(array, segment),
                JsonObject obj => obj[segment],
                _ => null,
            };
        }

        var actual = node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString();
        switch (op)
        {
            case '!':
                node.Should().BeNull($"{target}:{path} should be absent");
                break;
            case '=':
                actual.Should().Be(expected, $"{target}:{path}");
                break;
            case '^':
                actual.Should().NotBeNull($"{target}:{path} should exist").And.NotContain(expected, $"{target}:{path}");
                break;
            default:
                actual.Should().NotBeNull($"{target}:{path} should exist").And.Contain(expected, $"{target}:{path}");
                break;
        }
    }

    private static JsonNode? Named(JsonNode? list, string name) =>
        (list as JsonArray)?.FirstOrDefault(e => (e?["name"] ?? e?["path"])?.GetValue<string>() == name);
}
