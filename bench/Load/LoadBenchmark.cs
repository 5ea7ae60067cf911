using System.Reflection;
using Spectre.Console;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The load benchmark: generates a mesh, runs the xds-server on it as a child process, connects N
/// simulated proxies and runs the scenarios (connect storm, endpoint churn, service add,
/// VirtualService change, reconnect storm), then measures the fan-out floor with the same proxies.
/// </summary>
internal sealed class LoadBenchmark
{
    private readonly LoadOptions _options;
    private readonly MeshShape _shape;
    private readonly List<ScenarioResult> _results = new();
    private ScenarioRunner? _runner;

    public LoadBenchmark(LoadOptions options)
    {
        _options = options;
        _shape = new MeshShape(options.Services, options.Endpoints, options.Namespaces ?? Math.Max(1, options.Services / 20), options.IstioShare);
    }

    /// <summary>The xds-server built alongside this program (recorded at build time).</summary>
    public static string? BuiltServerPath() =>
        typeof(LoadBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "XdsServerPath")?.Value;

    /// <returns>0 when the run completed (whatever the figures), 1 when it could not be run.</returns>
    public async Task<int> RunAsync()
    {
        var serverPath = _options.ServerPath ?? BuiltServerPath();
        if (serverPath is null || !File.Exists(serverPath))
        {
            AnsiConsole.MarkupLine($"[red]No xds-server at '{Markup.Escape(serverPath ?? "(none recorded)")}'.[/] Build the solution (dotnet build -c Release ControlPlane.sln) or pass --server PATH/xds-server.dll.");
            return 1;
        }

        if ((long)_options.Services * _options.Endpoints > MeshShape.MaxPods)
        {
            AnsiConsole.MarkupLine($"[red]--services × --endpoints may be at most {MeshShape.MaxPods}.[/]");
            return 1;
        }

        if (Console.IsOutputRedirected)
        {
            // Redirected output (a log, a test) gets the whole table rather than 80 wrapped columns.
            AnsiConsole.Profile.Width = 200;
        }

        var machine = MachineInfo.Current();
        var workDir = _options.WorkDir ?? Directory.CreateTempSubdirectory("controlplane-load-").FullName;
        try
        {
            LoadReport.WriteHeader(_options, _shape, machine, serverPath);
            var writer = new MeshWriter(workDir, _shape);
            writer.WriteAll();
            var proxies = Enumerable.Range(0, _options.Proxies)
                .Select(i => new SimulatedProxy(_shape.Proxy(i), IsDelta(i)))
                .ToList();

            ServerFigures? server = null;
            FloorFigures? floor = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    _runner = new ScenarioRunner(proxies, progress, _options.IdleWindow);
                    server = await RunServerScenariosAsync(serverPath, writer, proxies);
                    floor = Runs("floor") ? await RunFloorAsync(proxies) : new FloorFigures(new int[XdsTypes.Count]);
                });

            var report = LoadReport.Create(_options, _shape, machine, serverPath, server!, floor!, _results, proxies);
            report.Print();
            if (_options.JsonPath is not null)
            {
                await report.WriteJsonAsync(_options.JsonPath);
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(_options.JsonPath)}[/]");
            }

            if (_options.PlotPath is not null)
            {
                ConvergencePlot.Save(_options.PlotPath, _results, _options, _shape);
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(_options.PlotPath)}[/]");
            }

            return 0;
        }
        catch (InvalidOperationException e)
        {
            AnsiConsole.MarkupLine("[red]The load benchmark could not run:[/]");
            AnsiConsole.WriteLine(e.Message);
            return 1;
        }
        finally
        {
            if (_options.WorkDir is null)
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    /// <summary>Whether the scenario kind was asked for (--scenarios); the connect storm always runs.</summary>
    private bool Runs(string kind) => _options.Scenarios.Contains(kind);

    /// <summary>Spreads the delta proxies evenly: proxy i is delta when (i+1)·share passes a whole number.</summary>
    private bool IsDelta(int i) => Math.Floor((i + 1) * _options.DeltaShare) > Math.Floor(i * _options.DeltaShare);

    private async Task<ServerFigures> RunServerScenariosAsync(string serverPath, MeshWriter writer, List<SimulatedProxy> proxies)
    {
        await using var server = ChildProcess.Start("xds-server", serverPath,
        [
            "--config-dir", writer.ConfigDir, "--grpc-port", "0", "--http-port", "0", "--listen-address", "127.0.0.1",
            "--log-format", "json", "--log-level", _options.ServerLogLevel, .. _options.ServerArguments,
        ], logPath: _options.ServerLogPath);
        var grpcPort = await server.PortOfAsync("grpc", TimeSpan.FromMinutes(2));
        var httpPort = await server.PortOfAsync("http", TimeSpan.FromMinutes(2));
        await server.WaitHealthyAsync($"http://127.0.0.1:{httpPort}/healthz/ready", TimeSpan.FromMinutes(5));
        var target = new Uri($"http://127.0.0.1:{grpcPort}");
        var pid = server.Pid;
        await ScenarioRunner.WaitQuietAsync(pid, TimeSpan.FromSeconds(30));
        await ScenarioRunner.WaitRssSettledAsync(pid, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        var baselineRss = ProcStat.RssBytes(pid) ?? 0;

        var all = new[] { XdsType.Cluster, XdsType.Endpoint, XdsType.Listener, XdsType.Route };
        await RunAsync(server, new ScenarioSpec("storm", $"connect storm ({proxies.Count} at once)", 0, all.Select(Expectation.Any).ToList(),
            () =>
            {
                foreach (var proxy in proxies)
                {
                    proxy.Connect(target, resume: false);
                }

                return Task.CompletedTask;
            },
            _options.Deadline));

        await ScenarioRunner.WaitQuietAsync(pid, TimeSpan.FromSeconds(60));
        await ScenarioRunner.WaitRssSettledAsync(pid, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        var connectedRss = ProcStat.RssBytes(pid) ?? 0;
        if (_options.Hold > TimeSpan.Zero)
        {
            AnsiConsole.MarkupLine($"Holding {proxies.Count} idle proxies for {_options.Hold.TotalSeconds:0} s; xds-server pid [bold]{pid}[/]");
            await Task.Delay(_options.Hold);
        }

        for (var round = 0; round < _options.Rounds && Runs("eds"); round++)
        {
            var service = (int)((round * 7919L + 3) % _shape.Services);
            var ip = MeshShape.BenchmarkIp(1 + round);
            await RunAsync(server, new ScenarioSpec("eds", $"endpoint churn #{round + 1} ({_shape.Name(service)})", round,
                [Expectation.Exact(XdsType.Endpoint, ip)],
                () => Task.Run(() => writer.ChurnEndpoints(service, ip)),
                _options.Deadline));
        }

        for (var round = 0; round < _options.Rounds && Runs("full"); round++)
        {
            var name = $"svc-add-{round}";
            var ns = _shape.Namespace(round);
            var port = 20000 + round;
            var ips = Enumerable.Range(0, _shape.Endpoints).Select(e => MeshShape.BenchmarkIp(20_000 + (round * _shape.Endpoints) + e + 1)).ToList();
            await RunAsync(server, new ScenarioSpec("full", $"service add #{round + 1} ({name}:{port})", round,
                [
                    Expectation.Exact(XdsType.Cluster, $"outbound|{port}||{name}.{ns}.{MeshShape.Domain}"),
                    Expectation.Exact(XdsType.Endpoint, ips[0]),
                    Expectation.Exact(XdsType.Listener, $"0.0.0.0_{port}"),
                    Expectation.Containing(XdsType.Route, $"{name}.{ns}."),
                ],
                () => Task.Run(() => writer.AddService(name, ns, port, ips)),
                _options.Deadline));
        }

        var routed = _shape.IstioServices();
        for (var round = 0; round < _options.Rounds && routed.Count > 0 && Runs("vs"); round++)
        {
            var service = routed[round % routed.Count];
            var changeRound = round + 1;
            await RunAsync(server, new ScenarioSpec("vs", $"VirtualService change #{round + 1} ({_shape.Name(service)})", round,
                [Expectation.Exact(XdsType.Route, MeshWriter.RoundPrefix(changeRound))],
                () => Task.Run(() => writer.ChangeVirtualService(service, changeRound)),
                _options.Deadline));
        }

        var reconnectRss = new List<double>();
        for (var round = 0; round < _options.ReconnectRounds && Runs("reconnect"); round++)
        {
            await Task.WhenAll(proxies.Select(p => p.DisconnectAsync()));
            await RunAsync(server, new ScenarioSpec("reconnect", $"reconnect storm #{round + 1} (old nonces)", round, all.Select(Expectation.Any).ToList(),
                () =>
                {
                    foreach (var proxy in proxies)
                    {
                        proxy.Connect(target, resume: true);
                    }

                    return Task.CompletedTask;
                },
                _options.Deadline));
            await ScenarioRunner.WaitQuietAsync(pid, TimeSpan.FromSeconds(60));
            reconnectRss.Add((ProcStat.RssBytes(pid) ?? 0) / 1048576.0);
        }

        await Task.WhenAll(proxies.Select(p => p.DisconnectAsync()));
        var figures = new ServerFigures(
            baselineRss / 1048576.0,
            connectedRss / 1048576.0,
            (ProcStat.PeakRssBytes(pid) ?? 0) / 1048576.0,
            reconnectRss,
            server.Warnings,
            server.Errors,
            server.Problems,
            server.HasExited ? server.Tail() : null);
        return figures;
    }

    private async Task<FloorFigures> RunFloorAsync(List<SimulatedProxy> proxies)
    {
        var full = _results.Where(r => r.Kind == "full").ToList();
        await using var floor = ChildProcess.Start("floor-server", typeof(LoadBenchmark).Assembly.Location, ["floor-server"], FloorServerEnvironment());
        var target = new Uri($"http://127.0.0.1:{await floor.PortOfAsync("grpc", TimeSpan.FromMinutes(1))}");
        await RunAsync(floor, new ScenarioSpec("floor-connect", $"floor: connect {proxies.Count}", 0, [Expectation.Any(XdsType.Cluster)],
            () =>
            {
                foreach (var proxy in proxies)
                {
                    proxy.Connect(target, resume: false, floor: true);
                }

                return Task.CompletedTask;
            },
            _options.Deadline));
        await ScenarioRunner.WaitQuietAsync(floor.Pid, TimeSpan.FromSeconds(30));

        // The full push's bytes per proxy and type, averaged over its rounds: the floor sends the same.
        var sizes = Enumerable.Range(0, XdsTypes.Count)
            .Select(t => full.Count == 0 ? 0 : (int)(full.Average(r => r.BytesByType[t]) / proxies.Count))
            .ToArray();
        // Round 0 warms the floor up (JIT, buffers, heap growth), as the connect storm warmed the xds-server; it is not counted.
        for (var round = 0; round <= _options.Rounds && sizes.Sum() > 0; round++)
        {
            var id = round;
            var kind = round == 0 ? "floor-warmup" : "floor";
            var version = FloorMessages.VersionOf(id);
            await RunAsync(floor, new ScenarioSpec(kind, round == 0 ? "floor warm-up push" : $"floor push #{round} ({sizes.Sum() / 1024.0:0.#} KiB per proxy)", round - 1,
                Enumerable.Range(0, XdsTypes.Count).Where(t => sizes[t] > 0).Select(t => Expectation.Exact((XdsType)t, version)).ToList(),
                () => floor.SendAsync($"push {id} {string.Join(' ', sizes)}"),
                _options.Deadline));
        }

        await Task.WhenAll(proxies.Select(p => p.DisconnectAsync()));
        return new FloorFigures(sizes);
    }

    /// <summary>
    /// The floor runs with the xds-server's runtime settings, so the comparison is like for like:
    /// server GC with DATAS (as the Web SDK sets on .NET 10; the environment overrides this
    /// program's own runtimeconfig, which turns DATAS off for the load generator) and tiered
    /// compilation without dynamic PGO (its project file).
    /// </summary>
    private static Dictionary<string, string> FloorServerEnvironment() => new()
    {
        ["DOTNET_gcServer"] = "1",
        ["DOTNET_GCDynamicAdaptationMode"] = "1",
        ["DOTNET_TieredPGO"] = "0",
    };

    private async Task RunAsync(ChildProcess process, ScenarioSpec spec)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"{process.Name} exited before '{spec.Title}':\n{process.Tail()}");
        }

        var runner = _runner ?? throw new InvalidOperationException("scenarios run inside the progress display");
        _results.Add(await runner.RunAsync(spec, process.Pid));
        if (process.HasExited)
        {
            throw new InvalidOperationException($"{process.Name} exited during '{spec.Title}':\n{process.Tail()}");
        }
    }
}
