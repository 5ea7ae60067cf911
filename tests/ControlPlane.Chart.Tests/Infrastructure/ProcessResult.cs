namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>What a finished process left: its exit code and everything it wrote.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Both streams, for assertion messages and for checking error text wherever a tool wrote it.</summary>
    public string Output => StandardOutput + StandardError;

    public override string ToString() =>
        $"`{Command}` exited {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
