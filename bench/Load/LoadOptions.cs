namespace ControlPlane.Benchmarks.Load;

/// <summary>Settings of one load benchmark run; the command line fills them in (see <see cref="LoadCommand"/>).</summary>
internal sealed record LoadOptions
{
    public required int Services { get; init; }

    public required int Endpoints { get; init; }

    public required int Proxies { get; init; }

    /// <summary>Namespaces the services spread over; null: one per 20 services.</summary>
    public int? Namespaces { get; init; }

    /// <summary>Share of proxies that use delta xDS.</summary>
    public double DeltaShare { get; init; } = 0.25;

    /// <summary>Share of services with a DestinationRule (subsets) and a VirtualService.</summary>
    public double IstioShare { get; init; } = 0.1;

    /// <summary>Rounds of endpoint churn, service add, VirtualService change and floor push.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Rounds of the reconnect storm.</summary>
    public int ReconnectRounds { get; init; } = 2;

    /// <summary>Longest any scenario round waits for the proxies.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A round ends early when no response arrived and the server was idle this long.</summary>
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the proxies stay connected and idle after the connect storm (and after the idle RSS is read) before the next scenario; zero: none.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.Zero;

    public string? JsonPath { get; init; }

    public string? PlotPath { get; init; }

    /// <summary>xds-server.dll to run; null: the one built with this benchmark.</summary>
    public string? ServerPath { get; init; }

    /// <summary>Where the generated config goes; null: a new temporary folder, deleted afterwards.</summary>
    public string? WorkDir { get; init; }

    public string ServerLogLevel { get; init; } = "Information";

    /// <summary>File the xds-server's log goes to, as it writes it (JSON lines); null: kept only for errors.</summary>
    public string? ServerLogPath { get; init; }

    /// <summary>Further xds-server arguments, after the benchmark's own (a later option wins).</summary>
    public IReadOnlyList<string> ServerArguments { get; init; } = [];

    /// <summary>Every scenario kind there is; the connect storm always runs (the others need connected proxies).</summary>
    public static readonly IReadOnlyList<string> AllScenarios = ["storm", "eds", "full", "vs", "reconnect", "floor"];

    /// <summary>Scenario kinds to run; the floor needs the full push (it sends the same bytes).</summary>
    public IReadOnlySet<string> Scenarios { get; init; } = AllScenarios.ToHashSet();
}
