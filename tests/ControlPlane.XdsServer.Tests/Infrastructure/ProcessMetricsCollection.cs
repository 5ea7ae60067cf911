namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>
/// Tests that assert on a value of the process-wide Prometheus registry (which every server in the
/// test process shares: a server starting in a parallel test resets a source's failing gauge to 0)
/// run in this collection, alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}
