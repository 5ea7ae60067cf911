using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The run's figures. The first five properties are the stable keys other tools and the docs read
/// (eds_p99_ms, full_p99_ms, rss_mb, per_proxy_kb, floor_ratio); the rest is detail.
/// </summary>
internal sealed record LoadReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>p99 over all endpoint-churn rounds of change → EDS receipt, ms; null if it falls on a proxy that never got it.</summary>
    public required double? EdsP99Ms { get; init; }

    /// <summary>p99 over all service-add rounds of change → last of CDS, EDS, LDS, RDS with the new service, ms.</summary>
    public required double? FullP99Ms { get; init; }

    /// <summary>The server's peak resident memory over the run (VmHWM), MiB.</summary>
    public required double RssMb { get; init; }

    /// <summary>Server RSS with all proxies connected and idle, less RSS before any connected, per proxy, KiB.</summary>
    public required double PerProxyKb { get; init; }

    /// <summary>Server CPU of a full push (service add) ÷ floor server CPU sending the same bytes to the same streams (means over rounds).</summary>
    public required double? FloorRatio { get; init; }

    public required double? VsP99Ms { get; init; }

    public required double? StormP99Ms { get; init; }

    public required double? ReconnectP99Ms { get; init; }

    public required string Command { get; init; }

    public required object Parameters { get; init; }

    public required MachineInfo Machine { get; init; }

    public required object Server { get; init; }

    public required object Floor { get; init; }

    public required object Generator { get; init; }

    public required IReadOnlyList<object> Scenarios { get; init; }

    [JsonIgnore]
    public IReadOnlyList<ScenarioResult> Results { get; init; } = [];

    public static LoadReport Create(LoadOptions options, MeshShape shape, MachineInfo machine, string serverPath, ServerFigures server, FloorFigures floor, IReadOnlyList<ScenarioResult> results, IReadOnlyList<SimulatedProxy> proxies)
    {
        double? P99(string kind) => ScenarioResult.Percentile(results.Where(r => r.Kind == kind).SelectMany(r => r.LatenciesMs).ToList(), 0.99);
        var full = results.Where(r => r.Kind == "full").ToList();
        var floors = results.Where(r => r.Kind == "floor").ToList();
        double? ratio = full.Count == 0 || floors.Count == 0
            ? null
            // CPU is counted in 10 ms clock ticks: a floor under one tick counts as one.
            : Math.Round(full.Average(r => r.ServerCpuSeconds) / Math.Max(0.01, floors.Average(r => r.ServerCpuSeconds)), 2);
        var worst = results.MaxBy(r => r.GeneratorShare);
        return new LoadReport
        {
            EdsP99Ms = P99("eds"),
            FullP99Ms = P99("full"),
            RssMb = Math.Round(server.PeakRssMb, 1),
            PerProxyKb = Math.Round((server.ConnectedRssMb - server.BaselineRssMb) * 1024 / Math.Max(1, options.Proxies), 1),
            FloorRatio = ratio,
            VsP99Ms = P99("vs"),
            StormP99Ms = P99("storm"),
            ReconnectP99Ms = P99("reconnect"),
            Command = "dotnet " + string.Join(' ', Environment.GetCommandLineArgs().Select(a => a.Contains(' ') ? $"'{a}'" : a)),
            Parameters = new
            {
                options.Services,
                options.Endpoints,
                options.Proxies,
                shape.Namespaces,
                DeltaProxies = proxies.Count(p => p.IsDelta),
                IstioServices = shape.IstioServices().Count,
                options.Rounds,
                options.ReconnectRounds,
                Scenarios = LoadOptions.AllScenarios.Where(options.Scenarios.Contains).ToList(),
                DeadlineSeconds = options.Deadline.TotalSeconds,
                IdleWindowSeconds = options.IdleWindow.TotalSeconds,
                ServerPath = serverPath,
            },
            Machine = machine,
            Server = new
            {
                BaselineRssMb = Math.Round(server.BaselineRssMb, 1),
                ConnectedRssMb = Math.Round(server.ConnectedRssMb, 1),
                PeakRssMb = Math.Round(server.PeakRssMb, 1),
                RssAfterReconnectMb = server.RssAfterReconnectMb.Select(r => Math.Round(r, 1)).ToList(),
                server.LoggedWarnings,
                server.LoggedErrors,
                server.LoggedProblems,
                StreamErrors = proxies.Sum(p => p.Errors),
                LastStreamError = proxies.Select(p => p.LastError).LastOrDefault(e => e is not null),
            },
            Floor = new
            {
                BytesPerProxy = floor.BytesPerProxy,
                FullPushCpuSeconds = full.Count == 0 ? (double?)null : Math.Round(full.Average(r => r.ServerCpuSeconds), 3),
                FloorCpuSeconds = floors.Count == 0 ? (double?)null : Math.Round(floors.Average(r => r.ServerCpuSeconds), 3),
                FloorP99Ms = ScenarioResult.Percentile(floors.SelectMany(r => r.LatenciesMs).ToList(), 0.99),
            },
            Generator = new
            {
                CpuSeconds = Math.Round(results.Sum(r => r.GeneratorCpuSeconds), 2),
                WorstScenario = worst?.Title,
                WorstShareOfMachine = worst is null ? 0 : Math.Round(worst.GeneratorShare, 2),
                Bottleneck = worst is not null && worst.GeneratorShare > GeneratorLimit,
            },
            Scenarios = results.Select(r => (object)new
            {
                r.Kind,
                r.Title,
                r.Round,
                r.StartedAt,
                SettleMs = Math.Round(r.SettleMs, 1),
                r.AcksWrittenBefore,
                r.Proxies,
                r.Converged,
                r.EndReason,
                r.FirstMs,
                r.P50Ms,
                r.P99Ms,
                r.MaxMs,
                WallSeconds = Math.Round(r.WallSeconds, 3),
                ServerCpuSeconds = Math.Round(r.ServerCpuSeconds, 2),
                ServerRssMb = Math.Round(r.ServerRssMb, 1),
                r.BytesPushed,
                BytesByType = TypeMap(r.BytesByType),
                ResponsesByType = TypeMap(r.ResponsesByType),
                r.RequestBytes,
                GeneratorCpuSeconds = Math.Round(r.GeneratorCpuSeconds, 2),
                OtherCpuSeconds = Math.Round(r.OtherCpuSeconds, 2),
                r.StreamErrors,
            }).ToList(),
            Results = results,
        };
    }

    /// <summary>Above this share of the machine's CPU the load generator may be what limits the figures.</summary>
    public const double GeneratorLimit = 0.5;

    public static void WriteHeader(LoadOptions options, MeshShape shape, MachineInfo machine, string serverPath)
    {
        AnsiConsole.Write(new Rule("[bold]xds-server load benchmark[/]").LeftJustified());
        AnsiConsole.MarkupLine(
            $"mesh: [bold]{options.Services}[/] services × [bold]{options.Endpoints}[/] endpoints in {shape.Namespaces} namespaces, " +
            $"{shape.IstioServices().Count} with VirtualService + DestinationRule; proxies: [bold]{options.Proxies}[/] ({options.DeltaShare:P0} delta)");
        AnsiConsole.MarkupLine($"machine: {Markup.Escape(machine.Cpu)}, {machine.Cores} cores, {machine.MemoryGb} GB, load average {machine.LoadAverage}");
        AnsiConsole.MarkupLine($"server: {Markup.Escape(serverPath)}");
        if (options.Proxies > options.Services * options.Endpoints)
        {
            AnsiConsole.MarkupLine($"[yellow]{options.Proxies - (options.Services * options.Endpoints)} proxies beyond S×E have addresses that serve no service (no inbound ports).[/]");
        }
    }

    public void Print()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("scenario", "got it", "p50 ms", "p99 ms", "max ms", "server CPU s", "server RSS MB", "pushed MB", "responses C/E/L/R", "load gen CPU s", "others CPU s", "ended");
        foreach (var r in Results)
        {
            table.AddRow(
                Markup.Escape(r.Title),
                r.Converged == r.Proxies ? $"{r.Converged}/{r.Proxies}" : $"[red]{r.Converged}/{r.Proxies}[/]",
                Ms(r.P50Ms),
                Ms(r.P99Ms),
                Ms(r.MaxMs),
                $"{r.ServerCpuSeconds:0.00}",
                $"{r.ServerRssMb:0}",
                $"{r.BytesPushed / 1048576.0:0.0}",
                string.Join('/', r.ResponsesByType),
                r.GeneratorShare > GeneratorLimit ? $"[yellow]{r.GeneratorCpuSeconds:0.00} ({r.GeneratorShare:P0})[/]" : $"{r.GeneratorCpuSeconds:0.00} ({r.GeneratorShare:P0})",
                $"{r.OtherCpuSeconds:0.00}",
                r.EndReason == "converged" ? "all" : $"[red]{r.EndReason}[/]");
        }

        AnsiConsole.Write(table);
        var figures = new Table().Border(TableBorder.Simple).AddColumns("key", "value", "target (S=1000, E=5, N=2000)");
        figures.AddRow("eds_p99_ms", Ms(EdsP99Ms), "≤ 300");
        figures.AddRow("full_p99_ms", Ms(FullP99Ms), "≤ 2000");
        figures.AddRow("rss_mb", $"{RssMb:0.0}", "≤ 1024");
        figures.AddRow("per_proxy_kb", $"{PerProxyKb:0.0}", "≤ 200");
        figures.AddRow("floor_ratio", FloorRatio is { } f ? $"{f:0.00}" : "[red]n/a[/]", "≤ 2");
        AnsiConsole.Write(figures);

        var worst = Results.MaxBy(r => r.GeneratorShare);
        if (worst is not null)
        {
            AnsiConsole.MarkupLine(worst.GeneratorShare > GeneratorLimit
                ? $"[yellow]Load generator: up to {worst.GeneratorShare:P0} of the machine's CPU ({Markup.Escape(worst.Title)}); above {GeneratorLimit:P0} it may be the bottleneck there.[/]"
                : $"Load generator: at most {worst.GeneratorShare:P0} of the machine's CPU in any scenario ({Markup.Escape(worst.Title)}): not the bottleneck.");
        }

        foreach (var unsettled in Results.Where(r => !r.AcksWrittenBefore))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(unsettled.Title)}: began with proxies still writing the previous round's ACKs (gave up waiting after 10 s).[/]");
        }

        foreach (var missed in Results.Where(r => r.EndReason == "idle"))
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(missed.Title)}: {missed.Proxies - missed.Converged} of {missed.Proxies} proxies got no push; the server then stayed idle for the idle window.[/]");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json));
    }

    private static Dictionary<string, long> TypeMap(long[] values) =>
        Enumerable.Range(0, XdsTypes.Count).ToDictionary(t => XdsTypes.ShortNames[t].ToLowerInvariant(), t => values[t]);

    private static string Ms(double? value) => value is { } v ? $"{v:0.0}" : "[red]missed[/]";
}
