namespace ControlPlane.Tests.Shared;

/// <summary>
/// How long the property-based fuzz tests run. In CI each runs a small fixed number of iterations;
/// CsCheck's own variables make a longer run: CsCheck_Iter=N (iterations) or CsCheck_Time=S
/// (seconds, overrides iterations), with CsCheck_Seed to replay a failure it printed.
/// See docs/RELIABILITY.md.
/// </summary>
internal static class FuzzBudget
{
    /// <summary>Iterations: CsCheck_Iter when set, else <paramref name="ci"/>.</summary>
    public static long Iterations(long ci) =>
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var iter) && iter > 0 ? iter : ci;

    /// <summary>Seconds: CsCheck_Time when set, else -1 (run the iterations).</summary>
    public static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Time"), out var seconds) && seconds > 0 ? seconds : -1;
}
