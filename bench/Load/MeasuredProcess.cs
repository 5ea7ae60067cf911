namespace ControlPlane.Benchmarks.Load;

/// <summary>CPU and memory of one process at a moment, with this process's and the machine's CPU for comparison.</summary>
internal readonly record struct MeasuredProcess(double ServerCpu, long ServerRss, double GeneratorCpu, double MachineBusy)
{
    public static MeasuredProcess Of(int serverPid) => new(
        ProcStat.CpuSeconds(serverPid) ?? 0,
        ProcStat.RssBytes(serverPid) ?? 0,
        ProcStat.CpuSeconds(Environment.ProcessId) ?? 0,
        ProcStat.MachineBusySeconds());
}
