using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>
/// The tests' way of changing config files (<see cref="ConfigFiles"/>) never lets the server read a
/// file half-written: a server that reads a rewritten file while it is still empty withdraws its
/// objects for a moment, which a live proxyless gRPC client may never recover from (see
/// GrpcJsXdsInteropTests.Proxyless_client_follows_endpoint_slice_changes_without_restarting).
/// </summary>
public sealed class ConfigFileWriteTests
{
    [Fact]
    public async Task A_rewritten_config_file_is_only_ever_read_whole()
    {
        var directory = Directory.CreateTempSubdirectory("config-write-").FullName;
        try
        {
            string[] versions = [Manifests.Service("one", "default", "10.96.0.1", 9080), Manifests.Service("two", "default", "10.96.0.2", 9080)];
            var path = Path.Combine(directory, "svc.yaml");
            await ConfigFiles.WriteAsync(directory, "svc.yaml", versions[0]);
            using var done = new CancellationTokenSource();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var reader = Task.Run(() =>
            {
                while (!done.IsCancellationRequested)
                {
                    seen.Add(File.ReadAllText(path));
                }
            });

            for (var i = 0; i < 300; i++)
            {
                await ConfigFiles.WriteAsync(directory, "svc.yaml", versions[i % 2]);
            }

            await done.CancelAsync();
            await reader;
            seen.Should().BeSubsetOf(versions, "a reader sees the old file or the new one, never an empty or partial one");
            Directory.EnumerateFiles(directory).Select(Path.GetFileName).Should().Equal(["svc.yaml"], "no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
