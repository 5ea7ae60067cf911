using System.Diagnostics;
using System.Text.Json;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// A server the benchmark runs as its own OS process (the xds-server, or the floor server): started
/// with dotnet, its JSON log read for the ports it bound ("Listening for {Endpoint} on port {Port}")
/// and for warnings and errors, its last lines kept for when it fails.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private readonly Queue<string> _tail = new();
    private readonly Task _reading;
    private readonly Dictionary<string, int> _problems = new(StringComparer.Ordinal);
    private readonly StreamWriter? _log;
    private int _warnings;
    private int _errors;

    private ChildProcess(string name, Process process, string? logPath)
    {
        Name = name;
        _process = process;
        _log = logPath is null ? null : new StreamWriter(logPath, append: false) { AutoFlush = false };
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Warning-level events the process logged so far.</summary>
    public int Warnings => Volatile.Read(ref _warnings);

    /// <summary>Error-level (and worse) events the process logged so far.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>Warning and error events by message template (at most 20 templates), for telling what went wrong.</summary>
    public IReadOnlyDictionary<string, int> Problems
    {
        get
        {
            lock (_problems)
            {
                return new Dictionary<string, int>(_problems);
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>; its output lines also go to <paramref name="logPath"/> when given.</summary>
    public static ChildProcess Start(string name, string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? logPath = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new ChildProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start"), logPath);
    }

    /// <summary>Sends one line to the process's standard input.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The port the process bound for <paramref name="endpoint"/>, once it has logged it.</summary>
    /// <exception cref="InvalidOperationException">It exited or did not say within <paramref name="timeout"/>.</exception>
    public async Task<int> PortOfAsync(string endpoint, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            lock (_ports)
            {
                if (_ports.TryGetValue(endpoint, out var port))
                {
                    return port;
                }
            }

            if (_process.HasExited)
            {
                throw Failed("exited before listening");
            }

            await Task.Delay(50);
        }

        throw Failed($"did not report its {endpoint} port within {timeout.TotalSeconds:0} s");
    }

    /// <summary>Waits until <paramref name="url"/> answers 200.</summary>
    public async Task WaitHealthyAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw Failed("exited before it was ready");
            }

            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy; ask again.
            }

            await Task.Delay(100);
        }

        throw Failed($"was not ready at {url} within {timeout.TotalSeconds:0} s");
    }

    /// <summary>The process's last lines of output, for error messages.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private InvalidOperationException Failed(string what) =>
        new($"{Name} {what}{(_process.HasExited ? $" (exit code {_process.ExitCode})" : string.Empty)}; its last output:\n{Tail()}");

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_tail)
            {
                _tail.Enqueue(line.Length > 2000 ? line[..2000] : line);
                if (_tail.Count > 40)
                {
                    _tail.Dequeue();
                }

                _log?.WriteLine(line);
            }

            Record(line);
        }
    }

    private void Record(string line)
    {
        if (!line.StartsWith('{') || (!line.Contains("\"@l\"", StringComparison.Ordinal) && !line.Contains("\"Endpoint\"", StringComparison.Ordinal)))
        {
            return;
        }

        try
        {
            using var log = JsonDocument.Parse(line);
            var root = log.RootElement;
            // Compact JSON events carry @l only when the level is not Information.
            if (root.TryGetProperty("@l", out var level))
            {
                switch (level.GetString())
                {
                    case "Warning":
                        Interlocked.Increment(ref _warnings);
                        break;
                    case "Error" or "Fatal":
                        Interlocked.Increment(ref _errors);
                        break;
                }

                var template = $"{level.GetString()}: {(root.TryGetProperty("@mt", out var mt) ? mt.GetString() : "?")}";
                lock (_problems)
                {
                    if (_problems.ContainsKey(template) || _problems.Count < 20)
                    {
                        _problems[template] = _problems.GetValueOrDefault(template) + 1;
                    }
                }
            }

            if (root.TryGetProperty("Endpoint", out var endpoint) && root.TryGetProperty("Port", out var port) && port.TryGetInt32(out var number))
            {
                lock (_ports)
                {
                    _ports[endpoint.GetString()!] = number;
                }
            }
        }
        catch (JsonException)
        {
            // Not a log event.
        }
    }
}
