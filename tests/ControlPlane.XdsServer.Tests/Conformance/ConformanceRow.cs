namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// One row of a protocol conformance table: what it checks, the sentence of the xDS protocol
/// (envoyproxy.io "xDS REST and gRPC protocol", or istiod 1.10 where the spec leaves it open) it
/// checks, and the exchange that shows it.
/// </summary>
public sealed record ConformanceRow<TScenario>(string Name, string Rule, Func<TScenario, Task> Exchange)
{
    public override string ToString() => Name;
}
