namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>Writes the config files a test server reads from its --config-dir.</summary>
public static class ConfigFiles
{
    /// <summary>
    /// Replaces (or creates) <paramref name="name"/> in <paramref name="directory"/> in one step: the
    /// text goes to a temporary file the server does not read (not .yaml, .yml or .json), which is
    /// then renamed over the target. A plain rewrite truncates the file first, and on a busy machine
    /// the server's rescan can read it empty in between: it then withdraws every object of the file
    /// for a moment, and @grpc/grpc-js-xds (1.14) never recovers from that when the same Listener or
    /// Cluster returns unchanged (its cache still holds the deleted resource, so it does not tell its
    /// watchers it is back).
    /// </summary>
    /// <exception cref="IOException">The directory does not exist or cannot be written.</exception>
    public static async Task WriteAsync(string directory, string name, string yaml)
    {
        var path = Path.Combine(directory, name);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, yaml);
        File.Move(temporary, path, overwrite: true);
    }
}
