namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// A scenario round to run: the <paramref name="Change"/> to make (timing starts just before it),
/// what every proxy should then receive, and how long to wait at most.
/// </summary>
internal sealed record ScenarioSpec(string Kind, string Title, int Round, IReadOnlyList<Expectation> Expectations, Func<Task> Change, TimeSpan Deadline);
