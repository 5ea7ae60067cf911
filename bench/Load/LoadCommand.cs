using System.CommandLine;

namespace ControlPlane.Benchmarks.Load;

/// <summary>The load mode's command line (System.CommandLine).</summary>
internal static class LoadCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var services = new Option<int>("--services") { Description = "Services in the generated mesh (S).", Required = true };
        var endpoints = new Option<int>("--endpoints") { Description = "Endpoints per service (E).", DefaultValueFactory = _ => 5 };
        var proxies = new Option<int>("--proxies") { Description = "Simulated sidecars (N), each on its own HTTP/2 connection.", DefaultValueFactory = _ => 100 };
        var namespaces = new Option<int?>("--namespaces") { Description = "Namespaces the services spread over (default: one per 20 services)." };
        var deltaShare = new Option<double>("--delta-share") { Description = "Share of proxies using delta xDS.", DefaultValueFactory = _ => 0.25 };
        var istioShare = new Option<double>("--istio-share") { Description = "Share of services with a VirtualService and a DestinationRule with subsets.", DefaultValueFactory = _ => 0.1 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of endpoint churn, service add, VirtualService change and floor push.", DefaultValueFactory = _ => 3 };
        var reconnects = new Option<int>("--reconnect-rounds") { Description = "Rounds of the reconnect storm.", DefaultValueFactory = _ => 2 };
        var deadline = new Option<double>("--deadline") { Description = "Longest a scenario round waits for the proxies, seconds.", DefaultValueFactory = _ => 120 };
        var idle = new Option<double>("--idle") { Description = "A round ends early when nothing arrived and the server was idle this long, seconds.", DefaultValueFactory = _ => 3 };
        var hold = new Option<double>("--hold") { Description = "After the connect storm, keep all proxies connected and idle this long before the next scenario, seconds (to attach dotnet-counters, dotnet-gcdump or dotnet-dump to the server; its pid is printed).", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Write the figures as JSON here (keys eds_p99_ms, full_p99_ms, rss_mb, per_proxy_kb, floor_ratio, and detail)." };
        var plot = new Option<string?>("--plot") { Description = "Draw convergence over the N proxies as a PNG here." };
        var server = new Option<string?>("--server") { Description = "xds-server.dll to run (default: the one built with this benchmark)." };
        var workDir = new Option<string?>("--work-dir") { Description = "Keep the generated config here instead of a temporary folder." };
        var scenarios = new Option<string[]>("--scenarios")
        {
            Description = $"Scenario kinds to run, comma-separated ({string.Join(',', LoadOptions.AllScenarios)}); the connect storm always runs, the floor needs full.",
            DefaultValueFactory = _ => [string.Join(',', LoadOptions.AllScenarios)],
        };
        scenarios.Validators.Add(r =>
        {
            var unknown = r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).Where(k => !LoadOptions.AllScenarios.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                r.AddError($"--scenarios: unknown {string.Join(", ", unknown)}; known: {string.Join(',', LoadOptions.AllScenarios)}");
            }
        });
        var logLevel = new Option<string>("--server-log-level") { Description = "The xds-server's --log-level.", DefaultValueFactory = _ => "Information" };
        var serverLog = new Option<string?>("--server-log") { Description = "Write the xds-server's log (JSON lines, with timestamps) to this file." };
        var serverArgs = new Option<string[]>("--server-arg") { Description = "An extra xds-server argument (repeat it), e.g. --server-arg=--max-concurrent-sends --server-arg=200.", AllowMultipleArgumentsPerToken = false };
        services.Validators.Add(r => Positive(r, "--services"));
        endpoints.Validators.Add(r => Positive(r, "--endpoints"));
        proxies.Validators.Add(r => Positive(r, "--proxies"));
        rounds.Validators.Add(r => Positive(r, "--rounds"));
        json.Validators.Add(r => OutputFile(r, "--json"));
        plot.Validators.Add(r => OutputFile(r, "--plot"));
        serverLog.Validators.Add(r => OutputFile(r, "--server-log"));

        var root = new RootCommand(
            "Load benchmark of the xds-server: a generated mesh, N simulated Envoy sidecars over real gRPC, the scenarios of issue 10, and the fan-out floor. " +
            "Without --services this program runs the BenchmarkDotNet micro-benchmarks (--filter).")
        {
            services, endpoints, proxies, namespaces, deltaShare, istioShare, rounds, reconnects, deadline, idle, hold, json, plot, server, workDir, scenarios, logLevel, serverLog, serverArgs,
        };
        root.SetAction(async (parse, _) => await new LoadBenchmark(new LoadOptions
        {
            Services = parse.GetValue(services),
            Endpoints = parse.GetValue(endpoints),
            Proxies = parse.GetValue(proxies),
            Namespaces = parse.GetValue(namespaces),
            DeltaShare = Math.Clamp(parse.GetValue(deltaShare), 0, 1),
            IstioShare = Math.Clamp(parse.GetValue(istioShare), 0, 1),
            Rounds = parse.GetValue(rounds),
            ReconnectRounds = Math.Max(0, parse.GetValue(reconnects)),
            Deadline = TimeSpan.FromSeconds(parse.GetValue(deadline)),
            IdleWindow = TimeSpan.FromSeconds(parse.GetValue(idle)),
            Hold = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(hold))),
            JsonPath = parse.GetValue(json),
            PlotPath = parse.GetValue(plot),
            ServerPath = parse.GetValue(server),
            WorkDir = parse.GetValue(workDir),
            ServerLogLevel = parse.GetValue(logLevel)!,
            ServerLogPath = parse.GetValue(serverLog),
            ServerArguments = parse.GetValue(serverArgs) ?? [],
            Scenarios = parse.GetValue(scenarios)!.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).Append("storm").ToHashSet(),
        }).RunAsync());
        return root.Parse(args).InvokeAsync();
    }

    /// <summary>An output file's folder must exist before the run, not be found missing minutes later when the figures are written.</summary>
    private static void OutputFile(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return;
        }

        var path = result.Tokens[0].Value;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            result.AddError($"{name}: the folder of {path} does not exist");
        }
    }

    private static void Positive(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.Tokens.Count > 0 && (!int.TryParse(result.Tokens[0].Value, out var value) || value < 1))
        {
            result.AddError($"{name} must be a whole number of at least 1");
        }
    }
}
