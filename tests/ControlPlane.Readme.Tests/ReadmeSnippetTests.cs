using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlPlane.Chart.Tests.Infrastructure;
using ControlPlane.Crds.Tests.Infrastructure;
using ControlPlane.EndToEnd.Tests.Infrastructure;
using ControlPlane.Operator.Tests.Injection;
using ControlPlane.Readme.Tests.Infrastructure;
using ControlPlane.Tests.Shared;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;
using ControlPlane.XdsServer.Tests.Interop;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Readme.Tests;

/// <summary>
/// Every fenced block of README.md is exercised: commands run (the ones that need a cluster are
/// checked against what the tests and CI run), JSON bootstraps go to the real @grpc/grpc-js-xds
/// client, YAML is validated against our CRDs. A block none of these tests knows fails the run.
/// </summary>
public sealed class ReadmeSnippetTests(ITestOutputHelper output)
{
    public const string RunCommand = "dotnet run --project xds-server -- --config-dir \"$PWD/examples/mesh\"";
    public const string TestCommand = "dotnet test ControlPlane.sln";
    public const string ClusterTestCommand = "CONTROLPLANE_TEST_KUBECONFIG=~/.kube/config dotnet test ControlPlane.sln --filter Category=Cluster";

    public const string InstallCommands = """
        helm install controlplane charts/controlplane --namespace istio-system --create-namespace
        kubectl label namespace default istio-injection=enabled       # or istio.io/rev=default
        kubectl rollout restart deployment -n default                 # new pods get sidecars
        """;

    public const string LocalRunCommands = """
        dotnet run --project xds-server -- --kubeconfig ~/.kube/config
        dotnet run --project operator -- --kubeconfig ~/.kube/config --namespace istio-system \
          --webhook-url https://127.0.0.1:9443/inject --webhook-config controlplane-local-injector
        """;

    public const string BenchCommands = """
        dotnet build -c Release ControlPlane.sln
        dotnet bench/bin/Release/net10.0/ControlPlane.Benchmarks.dll --services 1000 --endpoints 5 --proxies 2000 \
          --json load.json --plot load.png
        """;

    public const string DataFlowDiagram = """
        sources ──► mesh model ──► generators ──► cache ──► ADS streams ──► proxies
        (files,     (immutable      (pure: model    (one config   (versions, nonces,
         Kubernetes) snapshots)      + view → Envoy  per proxy     ACK/NACK, SotW
                                     resources)      view)         and delta)
        """;

    private static readonly string[] KnownShell = [RunCommand, TestCommand, ClusterTestCommand, InstallCommands, LocalRunCommands, BenchCommands];

    /// <summary>Generous: `dotnet run` first checks (and may redo) the build on a busy 2-core machine.</summary>
    private static readonly TimeSpan BuildAndStart = TimeSpan.FromMinutes(4);

    [Fact]
    public void Every_snippet_in_the_readme_is_one_these_tests_exercise()
    {
        var snippets = ReadmeFile.Snippets();
        snippets.Should().NotBeEmpty();

        var unknown = snippets.Where(s => !IsKnown(s)).ToList();
        unknown.Should().BeEmpty("every README snippet must be run or checked by a test here; teach ReadmeSnippetTests the new one");
        foreach (var known in KnownShell.Append(DataFlowDiagram))
        {
            snippets.Count(s => s.Text == known).Should().Be(1, $"the README should still hold:\n{known}");
        }
    }

    [Fact]
    public async Task The_run_command_serves_the_example_mesh_from_the_repository_root()
    {
        ReadmeFile.Single(RunCommand).Language.Should().Be("sh");

        // As written, from the repository root; only loopback, free ports and JSON logs (to read the
        // ports) are added, as other tests on this machine may hold 15010 and 15014.
        await using var server = ControlPlaneProcess.StartShell(
            "readme-xds-server", $"{RunCommand} --listen-address 127.0.0.1 --grpc-port 0 --http-port 0 --log-format json", RepositoryRoot.Path, output);

        await server.WaitReadyAsync(BuildAndStart);
        var http = await server.PortOfAsync("http", BuildAndStart);
        var syncz = await server.Http.GetStringAsync($"http://127.0.0.1:{http}/debug/syncz");
        syncz.Should().Be("[]", "it serves, and no proxy has connected yet");
    }

    [Fact]
    public async Task The_test_command_is_the_one_ci_runs()
    {
        ReadmeFile.Single(TestCommand);
        var ci = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot.Path, ".ci", "run"));
        var marker = Array.FindIndex(ci, l => l.Trim() == "# The README's test command:");
        marker.Should().BeGreaterThanOrEqualTo(0, ".ci/run marks the README's command");

        var command = ci[marker + 1].Trim();
        command.Should().StartWith(TestCommand + " ", "CI runs exactly the README's command (its output piped to a log)");
        command[TestCommand.Length..].Trim().Should().StartWith("2>&1 | tee", "nothing else is added to the command");
    }

    [Fact]
    public void The_cluster_test_command_names_the_tests_variable_and_a_trait_the_tests_carry()
    {
        ReadmeFile.Single(ClusterTestCommand);
        var match = Regex.Match(ClusterTestCommand, "^(?<variable>[A-Z_]+)=(?<path>\\S+) (?<command>.+) --filter (?<trait>\\w+)=(?<value>\\w+)$");
        match.Success.Should().BeTrue();

        match.Groups["variable"].Value.Should().Be(TestCluster.KubeconfigVariable, "TestCluster reads this variable");
        match.Groups["command"].Value.Should().Be(TestCommand, "the same run as CI's, filtered");
        var trait = $"[Trait(\"{match.Groups["trait"].Value}\", \"{match.Groups["value"].Value}\")]";
        var carriers = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Count(f => File.ReadAllText(f).Contains(trait, StringComparison.Ordinal));
        carriers.Should().BeGreaterThan(0, $"--filter must select tests marked {trait}");
    }

    [Fact]
    public async Task The_install_commands_install_the_chart_and_the_label_sends_new_pods_to_the_webhook()
    {
        var lines = ReadmeFile.Single(InstallCommands).Text.Split('\n');
        await using var api = await FakeApiServer.StartAsync();
        using var client = api.CreateClient();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"readme-kubeconfig-{Guid.NewGuid():N}.yaml"));
        try
        {
            // 1. helm install as written, pointed at the fake. The fake serves no OpenAPI document, and helm
            // validates the namespace --create-namespace makes against it even with
            // --disable-openapi-validation: that namespace is made here instead, as helm would make it.
            var helm = Words(lines[0]);
            helm[0].Should().Be("helm");
            var ns = helm[helm.IndexOf("--namespace") + 1];
            helm.Remove("--create-namespace").Should().BeTrue("the README creates the release namespace");
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            var installed = await Helm.RunAsync([.. helm[1..], "--kubeconfig", kubeconfig, "--disable-openapi-validation"]);
            installed.Succeeded.Should().BeTrue(installed.ToString());
            (await client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Should().HaveCount(2, "xds-server and operator");

            // 2. kubectl label namespace NAME KEY=VALUE (and the alternative in its comment).
            var label = Words(lines[1]);
            label[..3].Should().Equal("kubectl", "label", "namespace");
            var labelled = label[3];
            var alternative = Regex.Match(lines[1], "# or (?<label>\\S+=\\S+)$").Groups["label"].Value;
            alternative.Should().NotBeEmpty();
            await CreateNamespaceAsync(client, labelled, label[4]);
            await CreateNamespaceAsync(client, "by-revision", alternative);
            await CreateNamespaceAsync(client, "unlabelled", null);

            // 3. kubectl rollout restart deployment -n NAME: what it does is make new pods, which the
            // installed webhook (failurePolicy Fail) must intercept in the labelled namespaces only. Its
            // Service cannot be reached from the fake, so an intercepted pod fails with that reason.
            Words(lines[2])[..4].Should().Equal("kubectl", "rollout", "restart", "deployment");
            Words(lines[2])[5].Should().Be(labelled);
            foreach (var intercepted in new[] { labelled, "by-revision" })
            {
                var refused = await FluentActions.Awaiting(() => client.CoreV1.CreateNamespacedPodAsync(Pod(), intercepted))
                    .Should().ThrowAsync<HttpOperationException>();
                refused.Which.Response.Content.Should().Contain("failed calling webhook").And.Contain($"{ns}/controlplane-operator");
            }

            (await client.CoreV1.CreateNamespacedPodAsync(Pod(), "unlabelled")).Spec.Containers.Should().ContainSingle("no webhook for unlabelled namespaces");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task The_local_run_commands_use_options_the_programs_have()
    {
        var commands = ReadmeFile.Single(LocalRunCommands).Text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        commands.Should().HaveCount(2);
        foreach (var command in commands)
        {
            var words = Words(command);
            words[..3].Should().Equal("dotnet", "run", "--project");
            var project = words[3];
            Directory.Exists(Path.Combine(RepositoryRoot.Path, project)).Should().BeTrue();
            // The program's assembly is named as its project folder (xds-server, operator).
            var program = project;
            words[4].Should().Be("--");

            var help = await ProcessRunner.RunAsync("dotnet", [ControlPlaneProcess.PathOf(program), "--help"], RepositoryRoot.Path, TimeSpan.FromMinutes(1));
            help.Succeeded.Should().BeTrue(help.ToString());
            foreach (var option in words[5..].Where(w => w.StartsWith("--", StringComparison.Ordinal)))
            {
                help.StandardOutput.Should().Contain(option + " ", $"{project} must take {option}");
            }
        }

        // The same options against a cluster are what tests/ControlPlane.EndToEnd.Tests runs.
        var endToEnd = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "tests", "ControlPlane.EndToEnd.Tests", "MeshEndToEndTests.cs"));
        foreach (var option in new[] { "--kubeconfig", "--namespace", "--webhook-url", "--webhook-config" })
        {
            endToEnd.Should().Contain($"\"{option}\"");
        }
    }

    [Fact]
    public async Task Every_json_bootstrap_is_taken_by_grpc_js_xds_and_resolves_a_service_through_the_xds_server()
    {
        var bootstraps = ReadmeFile.Snippets().Where(s => s.Language == "json").ToList();
        bootstraps.Should().NotBeEmpty();
        foreach (var snippet in bootstraps)
        {
            await ResolveThroughBootstrapAsync(snippet);
        }
    }

    [Fact]
    public void Every_yaml_snippet_validates_against_its_crd_or_is_a_pod_the_injector_takes()
    {
        var yamls = ReadmeFile.Snippets().Where(s => s.Language == "yaml").ToList();
        yamls.Should().NotBeEmpty();
        foreach (var snippet in yamls)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(snippet.Text));
            foreach (var document in stream.Documents.Select(d => (YamlMappingNode)d.RootNode))
            {
                var apiVersion = Scalar(document, "apiVersion");
                var kind = Scalar(document, "kind");
                if (apiVersion == "v1" && kind == "Pod")
                {
                    var injected = InjectedPod.Of(KubernetesYaml.Deserialize<V1Pod>(snippet.Text, strict: true));
                    injected.Patched.Should().NotBeNull($"{snippet} is injected");
                    injected.Outcome.Warnings.Should().BeEmpty($"{snippet} draws no warning");
                    continue;
                }

                var crd = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "crds"), "*.yaml")
                    .Select(f => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(f)))
                    .SingleOrDefault(c => c.Spec.Names.Kind == kind && apiVersion.StartsWith(c.Spec.Group + "/", StringComparison.Ordinal));
                crd.Should().NotBeNull($"{snippet}: {apiVersion} {kind} has a CRD in crds/");
                var version = crd!.Spec.Versions.Single(v => apiVersion == $"{crd.Spec.Group}/{v.Name}");
                version.Served.Should().BeTrue();
                ((YamlMappingNode)document["metadata"]).Children.Should().ContainKey(new YamlScalarNode("name"));

                var body = new YamlMappingNode();
                foreach (var (key, value) in document.Children.Where(c => ((YamlScalarNode)c.Key).Value is not ("apiVersion" or "kind" or "metadata")))
                {
                    body.Add(key, value);
                }

                SchemaValidator.Validate(body, version.Schema.OpenAPIV3Schema).Should().BeEmpty($"{snippet} must be accepted by the API server");
            }
        }
    }

    [Fact]
    public void The_data_flow_diagram_is_explained_by_paths_that_exist()
    {
        ReadmeFile.Single(DataFlowDiagram).Language.Should().BeEmpty("a diagram, not a command");
        var readme = File.ReadAllText(ReadmeFile.Path);
        var section = readme[readme.IndexOf("## How data flows", StringComparison.Ordinal)..readme.IndexOf("## Pointing a proxy at it", StringComparison.Ordinal)];
        var paths = Regex.Matches(section, "\\(`(?<path>[a-z-]+/[A-Za-z/]+)`\\)").Select(m => m.Groups["path"].Value).ToList();

        paths.Should().Contain(["xds-server/Sources", "lib/Mesh/Model", "xds-server/Generation", "xds-server/Delivery"]);
        paths.Should().OnlyContain(p => Directory.Exists(Path.Combine(RepositoryRoot.Path, p)));
    }

    /// <summary>
    /// The README's bootstrap, only its server_uri pointed at an xds-server serving the example mesh plus
    /// a gRPC service in the node's namespace whose endpoint is the client's own backend.
    /// </summary>
    private async Task ResolveThroughBootstrapAsync(ReadmeSnippet snippet)
    {
        var bootstrap = JsonNode.Parse(snippet.Text)!.AsObject();
        var ns = bootstrap["node"]!["metadata"]!["NAMESPACE"]!.GetValue<string>();
        var work = Directory.CreateTempSubdirectory("readme-bootstrap-");
        try
        {
            var mesh = Directory.CreateDirectory(Path.Combine(work.FullName, "mesh"));
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "examples", "mesh"), "*.yaml"))
            {
                File.Copy(file, Path.Combine(mesh.FullName, Path.GetFileName(file)));
            }

            await using var server = ControlPlaneProcess.Start("xds-server", ["--config-dir", mesh.FullName, "--listen-address", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"], output);
            await server.WaitReadyAsync();
            bootstrap["xds_servers"]![0]!["server_uri"] = $"127.0.0.1:{await server.PortOfAsync("grpc")}";
            var bootstrapPath = Path.Combine(work.FullName, "bootstrap.json");
            await File.WriteAllTextAsync(bootstrapPath, bootstrap.ToJsonString());

            await using var client = await GrpcXdsClientProcess.StartAsync(bootstrapPath);
            var backend = (await client.StartBackendsAsync("A"))["A"];
            await File.WriteAllTextAsync(Path.Combine(mesh.FullName, "echo.yaml"), EchoService(ns, backend));

            // The README's form: xds:///<service>.<namespace>.svc.cluster.local:<port>.
            var target = $"echo.{ns}.svc.cluster.local:7070";
            try
            {
                await Eventually.Until(() => client.CallAsync(target), reply => reply == "A", $"{snippet}: an RPC to xds:///{target} to reach its backend");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\nthe client's stderr:\n{client.Stderr}", e);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string EchoService(string ns, int port) => $"""
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: echo, namespace: {ns}{"}"}
        spec:
          clusterIP: 10.96.70.70
          ports:
          - {"{"}name: grpc, port: 7070{"}"}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: echo-1
          namespace: {ns}
          labels: {"{"}kubernetes.io/service-name: echo{"}"}
        addressType: IPv4
        ports:
        - {"{"}name: grpc, port: {port}{"}"}
        endpoints:
        - addresses: ["127.0.0.1"]
          conditions: {"{"}ready: true{"}"}
        """;

    [Fact]
    public void The_annotated_pod_gets_the_sidecar_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("sidecar.istio.io/proxyCPU", StringComparison.Ordinal));

        var injected = InjectedPod.Of(KubernetesYaml.Deserialize<V1Pod>(snippet.Text));

        injected.Outcome.Warnings.Should().BeEmpty();
        injected.Expect("proxy:/resources={\"requests\":{\"cpu\":\"50m\"}}");
        injected.Expect("pod:/spec/containers/0/name=istio-proxy");
        injected.Expect("init:/args~\"-o\",\"6379\"");
        injected.Expect("app:/readinessProbe/httpGet={\"path\":\"/app-health/api/readyz\",\"port\":15020}");
    }

    /// <summary>
    /// The load benchmark's command names the dll a Release build of the solution writes, with
    /// options the tool takes; ControlPlane.Bench.Tests runs the same tool end to end at N=50.
    /// </summary>
    [Fact]
    public async Task The_load_benchmark_command_names_the_built_tool_and_its_options()
    {
        var lines = ReadmeFile.Single(BenchCommands).Text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        Words(lines[0]).Should().Equal("dotnet", "build", "-c", "Release", "ControlPlane.sln");
        var words = Words(lines[1]);
        words[0].Should().Be("dotnet");
        var built = ControlPlaneProcess.PathOf("ControlPlane.Benchmarks");
        var expected = $"bench/bin/Release/{Path.GetFileName(Path.GetDirectoryName(built))}/{Path.GetFileName(built)}";
        words[1].Should().Be(expected, "the README names the dll the bench project builds (its assembly name and target framework)");

        var help = await ProcessRunner.RunAsync("dotnet", [built, "--help"], RepositoryRoot.Path, TimeSpan.FromMinutes(1));
        help.Succeeded.Should().BeTrue(help.ToString());
        foreach (var option in words[2..].Where(w => w.StartsWith("--", StringComparison.Ordinal)))
        {
            help.Output.Should().Contain(option, $"the load benchmark takes {option}");
        }
    }

    /// <summary>
    /// The ServiceEntry and WorkloadEntry example, read and generated as the xds-server does it, gives
    /// a bookinfo sidecar and the VM's sidecar what the README says.
    /// </summary>
    [Fact]
    public void The_service_entry_example_gives_the_clusters_listeners_and_endpoints_the_readme_describes()
    {
        var snippet = ReadmeFile.Snippets().Single(s => s.Language == "yaml" && s.Text.Contains("kind: ServiceEntry", StringComparison.Ordinal));
        var (objects, errors) = new ControlPlane.XdsServer.Sources.ManifestFileLoader(new ControlPlane.Mesh.Kubernetes.MeshObjectTranslator()).Load(snippet.Text);
        errors.Should().BeEmpty();
        var store = new ControlPlane.Mesh.Store.MeshObjectStore(Microsoft.Extensions.Logging.Abstractions.NullLogger<ControlPlane.Mesh.Store.MeshObjectStore>.Instance);
        store.Replace("readme", objects);
        var generator = new ConfigGenerator();
        var config = generator.Generate(store.Current, new ProxyView(ProxyKind.Sidecar, "bookinfo", []));

        var ratings = config.Clusters.Find("outbound|443||api.ratings.example.com")!.Body.Unpack<Cluster>();
        ratings.Type.Should().Be(Cluster.Types.DiscoveryType.StrictDns);
        ratings.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.Address.Should().Be("api.ratings.example.com");
        config.Listeners.Find("0.0.0.0_443")!.Body.Unpack<Listener>().FilterChains.Single().FilterChainMatch.ServerNames.Should().Equal("api.ratings.example.com");

        config.Clusters.Find("outbound|8080||billing.bookinfo.internal")!.Body.Unpack<Cluster>().Type.Should().Be(Cluster.Types.DiscoveryType.Eds);
        var vm = config.Endpoints.Find("outbound|8080||billing.bookinfo.internal")!.Body.Unpack<ClusterLoadAssignment>().Endpoints.Single();
        (vm.Locality.Region, vm.Locality.Zone).Should().Be(("us-east1", "us-east1-b"));
        vm.LbEndpoints.Single().Endpoint.Address.SocketAddress.Should().Match<SocketAddress>(a => a.Address == "10.0.20.5" && a.PortValue == 8080);
        config.Routes.Find("8080")!.Body.Unpack<RouteConfiguration>().VirtualHosts.Single(h => h.Name == "billing.bookinfo.internal:8080")
            .Domains.Should().Contain(["billing.bookinfo.internal", "240.0.10.1"]);

        var vmNode = new Node { Id = "sidecar~10.0.20.5~billing-vm-1.bookinfo~bookinfo.svc.cluster.local", Metadata = new Struct() };
        vmNode.Metadata.Fields["NAMESPACE"] = Value.ForString("bookinfo");
        vmNode.Metadata.Fields["INSTANCE_IPS"] = Value.ForString("10.0.20.5");
        ProxyViews.For(NodeParser.Parse(vmNode), store.Current).Inbound.Select(p => p.Port).Should().Equal(8080);
    }

    private static bool IsKnown(ReadmeSnippet snippet) => snippet.Language switch
    {
        "sh" => KnownShell.Contains(snippet.Text),
        "json" => true, // every one goes to the real client
        "yaml" => true, // every one is validated against its CRD, or injected if it is a Pod
        "" => snippet.Text == DataFlowDiagram,
        _ => false,
    };

    /// <summary>The words of a shell line, its comment dropped (none of the README's commands quotes a space).</summary>
    private static List<string> Words(string line) =>
        line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static async Task CreateNamespaceAsync(IKubernetes client, string name, string? label)
    {
        var labels = label?.Split('=') is [var key, var value] ? new Dictionary<string, string> { [key] = value } : null;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
        // What a controller-manager would add; the pods below need it.
        await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, name);
    }

    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
    };
}
