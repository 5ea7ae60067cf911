using System.Diagnostics;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>Installs tests/interop's npm packages (the real @grpc/grpc-js-xds) once per test run.</summary>
public static class NodeInterop
{
    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    public static Task<string> DirectoryAsync() => Installed.Value;

    private static async Task<string> InstallAsync()
    {
        var directory = FindInteropDirectory();
        if (Directory.Exists(Path.Combine(directory, "node_modules", "@grpc", "grpc-js-xds")))
        {
            return directory;
        }

        var install = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = install.StandardError.ReadToEndAsync();
        await install.StandardOutput.ReadToEndAsync();
        await install.WaitForExitAsync();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {directory} failed ({install.ExitCode}): {await stderr}");
        }

        return directory;
    }

    private static string FindInteropDirectory() => Path.Combine(ControlPlane.Tests.Shared.RepositoryRoot.Path, "tests", "interop");
}
