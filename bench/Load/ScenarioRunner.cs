using System.Diagnostics;
using Spectre.Console;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Runs a scenario round against the simulated proxies: starts a probe, makes the change, shows
/// progress until every proxy has what the change brings, the deadline passes, or nothing arrives
/// while the server stays idle for the idle window and no proxy is connecting or waiting to retry (the change brought
/// no push), then measures.
/// </summary>
internal sealed class ScenarioRunner
{
    /// <summary>Server CPU below this share of one core counts as idle.</summary>
    private const double IdleCpuShare = 0.05;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly IReadOnlyList<SimulatedProxy> _proxies;
    private readonly ProgressContext _progress;
    private readonly TimeSpan _idleWindow;

    public ScenarioRunner(IReadOnlyList<SimulatedProxy> proxies, ProgressContext progress, TimeSpan idleWindow)
    {
        _proxies = proxies;
        _progress = progress;
        _idleWindow = idleWindow;
    }

    public int TotalErrors => _proxies.Sum(p => p.Errors);

    /// <summary>Runs <paramref name="spec"/> measuring the server process <paramref name="serverPid"/>.</summary>
    public async Task<ScenarioResult> RunAsync(ScenarioSpec spec, int serverPid)
    {
        var task = _progress.AddTask($"{Markup.Escape(spec.Title)}", maxValue: _proxies.Count);
        var settling = Stopwatch.StartNew();
        var acksWritten = await AcksWrittenAsync(TimeSpan.FromSeconds(10));
        CollectGeneratorGarbage();
        var settleMs = settling.Elapsed.TotalMilliseconds;
        var errorsBefore = TotalErrors;
        var probe = new Probe(spec.Title, _proxies.Count, spec.Expectations);
        var before = MeasuredProcess.Of(serverPid);
        var clock = Stopwatch.StartNew();
        probe.Start();
        var startedAt = DateTimeOffset.UtcNow;
        await spec.Change();
        var changed = Stopwatch.GetTimestamp();

        var reason = "converged";
        var lastBusy = changed;
        var cpuAt = (Time: Stopwatch.GetTimestamp(), Cpu: before.ServerCpu);
        while (probe.Converged < _proxies.Count)
        {
            await Task.Delay(Tick);
            task.Value = probe.Converged;
            var now = Stopwatch.GetTimestamp();
            var cpu = ProcStat.CpuSeconds(serverPid) ?? cpuAt.Cpu;
            var interval = Stopwatch.GetElapsedTime(cpuAt.Time, now).TotalSeconds;
            if (interval >= 0.25)
            {
                if ((cpu - cpuAt.Cpu) / interval > IdleCpuShare)
                {
                    lastBusy = now;
                }

                cpuAt = (now, cpu);
            }

            if (clock.Elapsed > spec.Deadline)
            {
                reason = "deadline";
                break;
            }

            var quietSince = Math.Max(Math.Max(probe.LastActivity, lastBusy), changed);
            if (Stopwatch.GetElapsedTime(quietSince, now) > _idleWindow && SimulatedProxy.Retrying == 0 && SimulatedProxy.Connecting == 0)
            {
                reason = "idle";
                break;
            }
        }

        probe.Stop();
        var wall = clock.Elapsed.TotalSeconds;
        var after = MeasuredProcess.Of(serverPid);
        task.Value = probe.Converged;
        task.Description = $"{Markup.Escape(spec.Title)} [grey]({probe.Converged}/{_proxies.Count}, {reason})[/]";
        task.StopTask();
        var server = after.ServerCpu - before.ServerCpu;
        var generator = after.GeneratorCpu - before.GeneratorCpu;
        return new ScenarioResult
        {
            Kind = spec.Kind,
            Title = spec.Title,
            Round = spec.Round,
            StartedAt = startedAt,
            SettleMs = settleMs,
            AcksWrittenBefore = acksWritten,
            Proxies = _proxies.Count,
            Converged = probe.Converged,
            EndReason = reason,
            LatenciesMs = probe.LatenciesMs(),
            WallSeconds = wall,
            ServerCpuSeconds = server,
            ServerRssMb = after.ServerRss / 1048576.0,
            BytesByType = Enumerable.Range(0, XdsTypes.Count).Select(t => probe.BytesOf((XdsType)t)).ToArray(),
            ResponsesByType = Enumerable.Range(0, XdsTypes.Count).Select(t => probe.ResponsesOf((XdsType)t)).ToArray(),
            RequestBytes = probe.RequestBytes,
            GeneratorCpuSeconds = generator,
            OtherCpuSeconds = Math.Max(0, after.MachineBusy - before.MachineBusy - server - generator),
            StreamErrors = TotalErrors - errorsBefore,
        };
    }

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until every proxy has written its ACKs of what it
    /// received: a round measures one change from a settled mesh, not from the previous round's ACKs
    /// still being sent (1,500 SotW ACKs of ~50 KB each after an endpoint push).
    /// </summary>
    /// <returns>False if some were still being written at <paramref name="limit"/>.</returns>
    private static async Task<bool> AcksWrittenAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (SimulatedProxy.Answering > 0)
        {
            if (clock.Elapsed >= limit)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>
    /// Collects this load generator's garbage before a round, as BenchmarkDotNet does between
    /// iterations: a round (an endpoint push to 2,000 proxies, ~75 MB of ACK buffers here) then fits in
    /// the generator's gen0 budget. Without it, the generator's own server-GC pauses (30–120 ms, on both
    /// cores) fell inside every second or third round and delayed every simulated proxy's receipt at once.
    /// The server under test is not touched.
    /// </summary>
    private static void CollectGeneratorGarbage() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);

    /// <summary>Waits (at most <paramref name="limit"/>) until the server has used under 5% of a core for half a second.</summary>
    /// <summary>
    /// Waits until the server's RSS has not fallen by more than 1 % for <paramref name="window"/>
    /// (at most <paramref name="limit"/>): an idle server may still be returning a burst's memory.
    /// </summary>
    public static async Task WaitRssSettledAsync(int serverPid, TimeSpan window, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var reference = ProcStat.RssBytes(serverPid) ?? 0;
        var since = clock.Elapsed;
        while (clock.Elapsed < limit && clock.Elapsed - since < window)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var rss = ProcStat.RssBytes(serverPid) ?? reference;
            if (rss < reference * 0.99)
            {
                reference = rss;
                since = clock.Elapsed;
            }
        }
    }

    public static async Task WaitQuietAsync(int serverPid, TimeSpan limit)
    {
        var window = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();
        var cpu = ProcStat.CpuSeconds(serverPid) ?? 0;
        while (clock.Elapsed < limit)
        {
            await Task.Delay(window);
            var now = ProcStat.CpuSeconds(serverPid) ?? cpu;
            if (now - cpu < IdleCpuShare * window.TotalSeconds)
            {
                return;
            }

            cpu = now;
        }
    }
}
