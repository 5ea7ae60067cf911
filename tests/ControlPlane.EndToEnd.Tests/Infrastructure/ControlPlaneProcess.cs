using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Xunit.Abstractions;

namespace ControlPlane.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One of our programs (xds-server, operator) running as its own OS process from its own build,
/// with JSON logs. Ports given as 0 are read from its "Listening for" events; its output goes to the
/// test's output, so a failing test shows what the process said.
/// </summary>
public sealed class ControlPlaneProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly string _name;
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private readonly List<string> _lines = new();
    private readonly Task _reading;

    private ControlPlaneProcess(string name, Process process, ITestOutputHelper output)
    {
        _name = name;
        _process = process;
        _output = output;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public HttpClient Http { get; } = new();

    /// <summary>Starts <paramref name="name"/> (the program's assembly name) with the given arguments.</summary>
    /// <param name="logLevel">Its --log-level; Debug shows the most when a test fails, Information keeps tests with many proxies readable.</param>
    public static ControlPlaneProcess Start(string name, IEnumerable<string> arguments, ITestOutputHelper output, string logLevel = "Debug")
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PathOf(name));
        foreach (var argument in arguments.Concat(["--log-format", "json", "--log-level", logLevel]))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        return new ControlPlaneProcess(name, process, output);
    }

    /// <summary>
    /// Runs a shell command line (bash -c) in <paramref name="workingDirectory"/>, e.g. a README's
    /// `dotnet run ...`; it must end up running one of our programs with JSON logs for the ports to be read.
    /// </summary>
    public static ControlPlaneProcess StartShell(string name, string commandLine, string workingDirectory, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        return new ControlPlaneProcess(name, process, output);
    }

    /// <summary>The port the process bound for an endpoint, once it has said so.</summary>
    public async Task<int> PortOfAsync(string endpoint, TimeSpan? timeout = null)
    {
        var port = await Eventually.Until(
            () => Task.FromResult(Port(endpoint)),
            found => found != 0 || _process.HasExited,
            $"{_name} to report its {endpoint} port",
            timeout);
        return port != 0 ? port : throw Exited("before listening");
    }

    /// <summary>Waits until /healthz/ready on the process's monitoring port answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var port = await PortOfAsync("http", timeout);
        await Eventually.Until(
            async () => _process.HasExited ? throw Exited("before it was ready")
                : (await Http.GetAsync($"http://127.0.0.1:{port}/healthz/ready")).IsSuccessStatusCode,
            ready => ready,
            $"{_name} to report ready",
            timeout);
    }

    /// <summary>Everything the process has written so far, stdout and stderr, a line each.</summary>
    public IReadOnlyList<string> Output => Lines();

    /// <summary>The OS process id, e.g. to read /proc/&lt;pid&gt;/status.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits (with a deadline) for the process to exit on its own and returns its exit code, once all its output is read.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await _reading.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_name} did not exit in time:\n{string.Join('\n', Lines())}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or an OOM kill would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
    }

    /// <summary>The built program (its .dll) of <paramref name="name"/>, as recorded by the test project's build.</summary>
    public static string PathOf(string name)
    {
        var key = $"ProcessUnderTest:{name}";
        var path = typeof(ControlPlaneProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"no {key} recorded at build time (see the test project's RecordProcessesUnderTest target)");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} was not built at {path}");
    }

    /// <summary>The process ended early: say so with everything it wrote.</summary>
    private InvalidOperationException Exited(string when) =>
        new($"{_name} exited with code {_process.ExitCode} {when}:\n{string.Join('\n', Lines())}");

    private int Port(string endpoint)
    {
        lock (_ports)
        {
            return _ports.GetValueOrDefault(endpoint);
        }
    }

    private List<string> Lines()
    {
        lock (_lines)
        {
            return _lines.ToList();
        }
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }

            Record(line);
            try
            {
                _output.WriteLine($"[{_name}] {line}");
            }
            catch (InvalidOperationException)
            {
                // The test is over; the line stays in Lines for anyone still asking.
            }
        }
    }

    private void Record(string line)
    {
        if (!line.StartsWith('{'))
        {
            return;
        }

        try
        {
            using var log = JsonDocument.Parse(line);
            if (log.RootElement.TryGetProperty("Endpoint", out var endpoint) && log.RootElement.TryGetProperty("Port", out var port) && port.TryGetInt32(out var number))
            {
                lock (_ports)
                {
                    _ports[endpoint.GetString()!] = number;
                }
            }
        }
        catch (JsonException)
        {
            // Not a log event of ours.
        }
    }
}
