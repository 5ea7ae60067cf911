using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Xunit.Abstractions;

namespace ControlPlane.Bench.Tests;

/// <summary>
/// A small load run (50 proxies, 20 services) of the built benchmark, as a user runs it, so the
/// benchmark never rots. Asserts that it ran every scenario and wrote the stable JSON keys with sane
/// values and a PNG; never how fast anything was.
/// </summary>
public sealed class LoadBenchmarkSmokeTests
{
    private readonly ITestOutputHelper _output;

    public LoadBenchmarkSmokeTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task SmallRunWritesTheFiveKeysAndThePlot()
    {
        var folder = Directory.CreateTempSubdirectory("controlplane-bench-test-").FullName;
        try
        {
            var json = Path.Combine(folder, "load.json");
            var png = Path.Combine(folder, "load.png");
            var serverLog = Path.Combine(folder, "server.log");
            var (exitCode, output) = await RunAsync(
                ["--services", "20", "--endpoints", "2", "--proxies", "50", "--rounds", "1", "--reconnect-rounds", "1", "--idle", "1", "--json", json, "--plot", png, "--server-log", serverLog]);
            _output.WriteLine(output);

            exitCode.Should().Be(0);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = report.RootElement;
            root.GetProperty("eds_p99_ms").GetDouble().Should().BeGreaterThan(0);
            root.GetProperty("full_p99_ms").GetDouble().Should().BeGreaterThan(0);
            root.GetProperty("rss_mb").GetDouble().Should().BeGreaterThan(0);
            double.IsFinite(root.GetProperty("per_proxy_kb").GetDouble()).Should().BeTrue();
            root.GetProperty("floor_ratio").GetDouble().Should().BeGreaterThan(0);
            root.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("kind").GetString())
                .Should().Contain(["storm", "eds", "full", "vs", "reconnect", "floor"]);
            root.GetProperty("generator").GetProperty("cpu_seconds").GetDouble().Should().BeGreaterThan(0);

            // The floor reads what the xds-server reads: its proxies ACK with the names they hold (as
            // Envoy does), so a floor push brings a share of a service-add push's request bytes
            // (about half: no re-subscription), not the few bytes of bare ACKs.
            var scenarios = root.GetProperty("scenarios").EnumerateArray().ToList();
            var fullRequests = scenarios.Single(s => s.GetProperty("kind").GetString() == "full").GetProperty("request_bytes").GetInt64();
            var floorRequests = scenarios.Single(s => s.GetProperty("kind").GetString() == "floor").GetProperty("request_bytes").GetInt64();
            fullRequests.Should().BeGreaterThan(0);
            floorRequests.Should().BeGreaterThan(fullRequests / 3, "floor ACKs carry the subscribed names");
            // Every round began once the proxies had written their ACKs of the one before.
            scenarios.Should().OnlyContain(s => s.GetProperty("acks_written_before").GetBoolean() && s.GetProperty("settle_ms").GetDouble() < 10_000);

            // Each round says when its change was made, to be found in the server's log by its timestamps.
            var edsRound = scenarios.First(s => s.GetProperty("kind").GetString() == "eds");
            var startedAt = edsRound.GetProperty("started_at").GetDateTimeOffset();
            var pushes = (await File.ReadAllLinesAsync(serverLog))
                .Where(l => l.Contains("\"@mt\":\"Pushing mesh version", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("@t").GetDateTimeOffset())
                .ToList();
            pushes.Should().Contain(t => t >= startedAt && t <= startedAt.AddSeconds(edsRound.GetProperty("wall_seconds").GetDouble()), "the endpoint round's push is in the server log");
            (await File.ReadAllBytesAsync(png)).Take(8).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
            output.Should().Contain("eds_p99_ms");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--plot")]
    [InlineData("--server-log")]
    public async Task An_output_file_in_a_missing_folder_is_refused_before_the_run(string option)
    {
        var missing = Path.Combine(Path.GetTempPath(), $"controlplane-missing-{Guid.NewGuid():N}", "out.file");

        var (exitCode, output) = await RunAsync(["--services", "20", "--proxies", "50", option, missing]);

        exitCode.Should().NotBe(0);
        output.Should().Contain($"{option}: the folder of {missing} does not exist");
        output.Should().NotContain("mesh: ", "nothing was run (a run prints its mesh first)");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments)
    {
        var benchmark = typeof(LoadBenchmarkSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BenchmarkPath").Value!;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(benchmark);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the load benchmark did not finish within 5 minutes:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
