namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// One measured scenario round. Latencies are milliseconds from the change to each proxy's receipt of
/// everything the change should bring it; a proxy that never got it counts as +∞ in the percentiles,
/// which are then null when they land on one.
/// </summary>
internal sealed record ScenarioResult
{
    public required string Kind { get; init; }

    public required string Title { get; init; }

    public required int Round { get; init; }

    /// <summary>When the change was made (UTC), to find the round in a server log (--server-log).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Time spent before the change waiting for the last round's ACKs to be written and collecting the load generator's garbage, ms.</summary>
    public required double SettleMs { get; init; }

    /// <summary>False if the proxies were still writing the last round's ACKs when the wait for them gave up (10 s) and the change was made anyway.</summary>
    public required bool AcksWrittenBefore { get; init; }

    public required int Proxies { get; init; }

    public required int Converged { get; init; }

    /// <summary>"converged" (all proxies), "deadline", or "idle" (no response and an idle server for the idle window: no push came).</summary>
    public required string EndReason { get; init; }

    public required double[] LatenciesMs { get; init; }

    public required double WallSeconds { get; init; }

    /// <summary>CPU seconds the server under test used from the change until the scenario ended.</summary>
    public required double ServerCpuSeconds { get; init; }

    /// <summary>The server's resident memory when the scenario ended, MiB.</summary>
    public required double ServerRssMb { get; init; }

    /// <summary>Serialized response bytes the proxies received, per type (CDS, EDS, LDS, RDS).</summary>
    public required long[] BytesByType { get; init; }

    public required long[] ResponsesByType { get; init; }

    /// <summary>Serialized request bytes (requests and ACKs) the proxies sent meanwhile: what the server had to read.</summary>
    public required long RequestBytes { get; init; }

    /// <summary>CPU seconds this load generator used meanwhile.</summary>
    public required double GeneratorCpuSeconds { get; init; }

    /// <summary>CPU seconds every other process on the machine used meanwhile (builds, other people's tests).</summary>
    public required double OtherCpuSeconds { get; init; }

    /// <summary>Proxy streams that failed during the scenario.</summary>
    public required int StreamErrors { get; init; }

    public long BytesPushed => BytesByType.Sum();

    /// <summary>The first proxy's latency: what the change costs before any fan-out (debounce, file settle, generation).</summary>
    public double? FirstMs => Percentile(LatenciesMs, 0.0);

    public double? P50Ms => Percentile(LatenciesMs, 0.50);

    public double? P99Ms => Percentile(LatenciesMs, 0.99);

    public double? MaxMs => Percentile(LatenciesMs, 1.0);

    /// <summary>Share of the machine's cores the load generator kept busy.</summary>
    public double GeneratorShare => WallSeconds <= 0 ? 0 : GeneratorCpuSeconds / (WallSeconds * Environment.ProcessorCount);

    /// <summary>Nearest-rank percentile; null when it falls on a proxy that never received the change.</summary>
    public static double? Percentile(IReadOnlyCollection<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1);
        return double.IsFinite(sorted[rank]) ? Math.Round(sorted[rank], 1) : null;
    }
}
