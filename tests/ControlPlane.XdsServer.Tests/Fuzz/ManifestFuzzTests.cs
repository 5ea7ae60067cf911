using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Tests.Shared;
using ControlPlane.XdsServer.Sources;
using ControlPlane.XdsServer.Tests.Infrastructure;
using CsCheck;

namespace ControlPlane.XdsServer.Tests.Fuzz;

/// <summary>
/// Fuzzes the YAML manifest reader and file loader (KubernetesManifestReader, the translator,
/// ManifestFileLoader) with mutations of real manifests: every input is answered with objects and
/// clear, bounded errors; nothing throws, nothing hangs.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ManifestFuzzTests
{
    private static readonly string[] Seeds =
    [
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "mesh", "bookinfo.yaml")),
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "mesh", "data.yaml")),
        Manifests.Join(Manifests.Service("reviews", "default", "10.96.0.10", 9080), Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1", "10.1.0.2")),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b, labels: {x: y}}\nspec: {clusterIP: None, ports: [{name: grpc, port: 1, targetPort: web, protocol: UDP, appProtocol: http2}]}",
    ];

    /// <summary>Text that means something to YAML or to Kubernetes.</summary>
    private static readonly string[] Tokens =
    [
        ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!str ", "!!binary ", "|", ">", "'", "\"", "#", "%YAML 1.2\n", "---\n", "...\n", "? ", ",", "\t", "\n", "  ",
        "<<: *a", "~", "null", "true", "0x1F", "-1", "65536", "99999999999999999999", "1e400", ".nan", "NaN", "\u0000", "\uFEFF", "é", "\U0001F600",
        "kind: Service", "apiVersion: v1", "discovery.k8s.io/v1", "EndpointSlice", "clusterIP: ", "port: ", "ports:", "addresses: [", "namespace: ", "name: ",
    ];

    private static readonly Gen<string> Mutated =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, 40], Gen.Int[0, Tokens.Length - 1]).Array[0, 12])
            .Select(t => Mutate(Seeds[t.Item1], t.Item2));

    private static readonly Gen<string> Anything = Gen.Frequency((4, Mutated), (1, Gen.String));

    [Fact]
    public void Any_manifest_text_gives_objects_and_clear_errors_and_never_throws_or_hangs()
    {
        var loader = new ManifestFileLoader(new MeshObjectTranslator());
        Anything.Sample(
            text =>
            {
                var run = Task.Run(() => loader.Load(text));
                if (!run.Wait(TimeSpan.FromSeconds(20)))
                {
                    throw new TimeoutException("loading one manifest took more than 20 s");
                }

                var result = run.Result;
                foreach (var message in result.Errors.Concat(result.Warnings))
                {
                    message.Should().NotBeNullOrWhiteSpace();
                    message.Length.Should().BeLessThan(4 * 1024 + text.Length / 4, "an error says what is wrong, it does not repeat the input");
                }

                KubernetesManifestReader.Read(text).Should().NotContain(d => (d.Object == null) == (d.Error == null), "each document is an object or an error");
            },
            iter: FuzzBudget.Iterations(400),
            time: FuzzBudget.Seconds,
            threads: 2);
    }

    [Fact]
    public async Task An_alias_bomb_is_refused_without_expanding_it()
    {
        var levels = Enumerable.Range(1, 12).Select(i => $"  l{i}: &l{i} [" + string.Join(",", Enumerable.Repeat($"*l{i - 1}", 10)) + "]");
        var bomb = "apiVersion: v1\nkind: Service\nmetadata:\n  name: bomb\n  namespace: default\nspec:\n  l0: &l0 [\"lol\",\"lol\"]\n" + string.Join("\n", levels) +
                   "\n  selector: {app: x}\n  ports: [{port: 80}]\n  externalIPs: *l12\n";
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var run = Task.Run(() => new ManifestFileLoader(new MeshObjectTranslator()).Load(bomb));

        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        (GC.GetTotalMemory(forceFullCollection: false) - before).Should().BeLessThan(512L * 1024 * 1024, "10^12 aliased strings must not be expanded");
        result.Errors.Concat(result.Objects.Select(o => o.ToString())).Should().NotBeEmpty();
    }

    /// <summary>Applies each mutation (kind, position, length, token) to <paramref name="seed"/>.</summary>
    private static string Mutate(string seed, (int Kind, int Position, int Length, int Token)[] mutations)
    {
        var text = seed;
        foreach (var (kind, position, length, token) in mutations)
        {
            var at = text.Length == 0 ? 0 : position % (text.Length + 1);
            var count = Math.Min(length, text.Length - at);
            text = kind switch
            {
                0 => text.Remove(at, count),
                1 => text.Insert(at, Tokens[token]),
                2 => text.Remove(at, count).Insert(at, Tokens[token]),
                3 => DuplicateLine(text, at),
                4 => text.Insert(at, text.Substring(at, count)),
                _ => string.Concat(text.AsSpan(0, at), text.AsSpan(at).ToString().ToUpperInvariant()),
            };
        }

        return text;
    }

    private static string DuplicateLine(string text, int at)
    {
        var start = text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
        var end = text.IndexOf('\n', at);
        var line = end < 0 ? text[start..] : text[start..(end + 1)];
        return text.Insert(start, line.EndsWith('\n') ? line : line + "\n");
    }
}
