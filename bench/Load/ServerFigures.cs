namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The server's memory over the run, MiB: once ready with the mesh loaded, with all proxies connected
/// and idle, at its peak (VmHWM), and after each reconnect storm; plus what it logged.
/// </summary>
internal sealed record ServerFigures(
    double BaselineRssMb,
    double ConnectedRssMb,
    double PeakRssMb,
    IReadOnlyList<double> RssAfterReconnectMb,
    int LoggedWarnings,
    int LoggedErrors,
    IReadOnlyDictionary<string, int> LoggedProblems,
    string? CrashOutput);
