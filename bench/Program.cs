using BenchmarkDotNet.Running;
using ControlPlane.Benchmarks.Load;

// Three modes: the load benchmark (--services ...), the floor server it starts as a child process
// (floor-server), and BenchmarkDotNet's micro-benchmarks (anything else, e.g. --filter '*').
if (args is ["floor-server", ..])
{
    return await FloorServerHost.RunAsync();
}

if (args.Any(a => a == "--services" || a.StartsWith("--services=", StringComparison.Ordinal)) || args is ["--help" or "-h" or "-?"])
{
    return await LoadCommand.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(ControlPlane.Benchmarks.GenerationBenchmarks).Assembly).Run(args);
return 0;
