using System.Runtime.InteropServices;

namespace ControlPlane.Benchmarks.Load;

/// <summary>What the run ran on: the figures mean little without it.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, double MemoryGb, string Os, string Runtime, string LoadAverage)
{
    public static MachineInfo Current()
    {
        var cpu = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var load = ReadLines("/proc/loadavg").FirstOrDefault() ?? string.Empty;
        return new MachineInfo(
            cpu,
            Environment.ProcessorCount,
            memory is null ? 0 : Math.Round(double.Parse(memory, System.Globalization.CultureInfo.InvariantCulture) / 1048576, 1),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            string.Join(' ', load.Split(' ').Take(3)));
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
