using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ControlPlane.Benchmarks.GenerationBenchmarks).Assembly).Run(args);
