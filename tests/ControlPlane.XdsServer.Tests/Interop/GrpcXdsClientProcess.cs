using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// tests/interop/xds-client.mjs as a child process: the real @grpc/grpc-js-xds client plus gRPC
/// backends it starts on request, driven one request at a time (see the script's header for the
/// protocol). Start one per test class and give each test backends and targets of its own.
/// </summary>
public sealed class GrpcXdsClientProcess : IAsyncDisposable
{
    /// <summary>The method backends serve by default and calls use unless told otherwise.</summary>
    public const string WhoAmI = "/controlplane.interop.Echo/WhoAmI";

    /// <summary>A second method of the same service, for tests that route or fail methods differently.</summary>
    public const string Pay = "/controlplane.interop.Echo/Pay";

    /// <summary>A third method of the same service.</summary>
    public const string Browse = "/controlplane.interop.Echo/Browse";

    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Channel<JsonObject> _replies = Channel.CreateUnbounded<JsonObject>();
    private readonly List<string> _stderr = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private int _nextId;

    private GrpcXdsClientProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _replies.Writer.TryComplete();
                return;
            }

            if (JsonNode.Parse(e.Data) is JsonObject reply)
            {
                _replies.Writer.TryWrite(reply);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    // Bounded: a chatty client (GRPC_TRACE) must not grow the test's memory without limit.
                    if (_stderr.Count < 10_000)
                    {
                        _stderr.Add(e.Data);
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>What the client process wrote to stderr (its traces, when GRPC_TRACE is set).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <param name="bootstrapPath">The gRPC xDS bootstrap file (GRPC_XDS_BOOTSTRAP).</param>
    /// <param name="environment">More environment for the client, such as GRPC_TRACE.</param>
    public static async Task<GrpcXdsClientProcess> StartAsync(string bootstrapPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = await NodeInterop.DirectoryAsync();
        var start = new ProcessStartInfo("node", "xds-client.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["GRPC_XDS_BOOTSTRAP"] = bootstrapPath;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var client = new GrpcXdsClientProcess(Process.Start(start)!);
        var ready = await client.NextReplyAsync();
        ready["event"]?.GetValue<string>().Should().Be("ready");
        return client;
    }

    /// <summary>The port a backend started by <see cref="StartBackendsAsync"/> listens on (on 127.0.0.1).</summary>
    public int PortOf(string backend) => _ports[backend];

    /// <summary>Starts one gRPC server per name on 127.0.0.1; each answers every method with its name.</summary>
    /// <returns>Their ports by name.</returns>
    public async Task<IReadOnlyDictionary<string, int>> StartBackendsAsync(params string[] names)
    {
        var reply = await RequestAsync(new JsonObject { ["op"] = "startBackends", ["names"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()) });
        var ports = reply["ports"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>());
        foreach (var (name, port) in ports)
        {
            _ports[name] = port;
        }

        return ports;
    }

    /// <summary>Sets how <paramref name="backend"/> answers <paramref name="method"/> (every method when null) from now on.</summary>
    public Task BehaveAsync(string backend, Behaviour behaviour, string? method = null)
    {
        var request = new JsonObject { ["op"] = "behave", ["backend"] = backend, ["method"] = method ?? "*" };
        if (behaviour.FailWith is { } code)
        {
            request["failCode"] = (int)code;
        }

        if (behaviour.FailTimes is { } times)
        {
            request["failTimes"] = times;
        }

        if (behaviour.Delay is { } delay)
        {
            request["delayMs"] = (int)delay.TotalMilliseconds;
        }

        return RequestAsync(request);
    }

    /// <summary>What each backend received so far, by backend name and method.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, MethodStats>>> StatsAsync()
    {
        var reply = await RequestAsync(new JsonObject { ["op"] = "stats" });
        return reply["backends"]!.AsObject().ToDictionary(
            b => b.Key,
            b => (IReadOnlyDictionary<string, MethodStats>)b.Value!.AsObject().ToDictionary(
                m => m.Key,
                m => new MethodStats(m.Value!["attempts"]!.GetValue<int>(), m.Value!["retries"]!.GetValue<int>())));
    }

    /// <summary>Attempts <paramref name="backend"/> received for <paramref name="method"/> so far.</summary>
    public async Task<MethodStats> StatsAsync(string backend, string method = WhoAmI) =>
        (await StatsAsync()).TryGetValue(backend, out var methods) && methods.TryGetValue(method, out var stats) ? stats : new MethodStats(0, 0);

    /// <summary>
    /// Makes <paramref name="count"/> unary RPCs to xds:///<paramref name="target"/> (one channel per
    /// target, kept for the process's life), each with <paramref name="metadata"/> and a deadline of
    /// <paramref name="deadline"/> (5 s by default) from its start, at most
    /// <paramref name="concurrency"/> at a time.
    /// </summary>
    public async Task<CallBatch> CallsAsync(
        string target,
        int count,
        string method = WhoAmI,
        IReadOnlyDictionary<string, string>? metadata = null,
        TimeSpan? deadline = null,
        int concurrency = 1)
    {
        var headers = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            headers[key] = value;
        }

        var reply = await RequestAsync(new JsonObject
        {
            ["op"] = "calls",
            ["target"] = target,
            ["method"] = method,
            ["count"] = count,
            ["metadata"] = headers,
            ["deadlineMs"] = (int)(deadline ?? TimeSpan.FromSeconds(5)).TotalMilliseconds,
            ["concurrency"] = concurrency,
        });
        return new CallBatch(reply["results"]!.AsArray().Select(r => new CallResult(
            r!["backend"]?.GetValue<string>(),
            (StatusCode)r["code"]!.GetValue<int>(),
            r["details"]?.GetValue<string>() ?? string.Empty,
            TimeSpan.FromMilliseconds(r["ms"]!.GetValue<double>()))).ToList());
    }

    /// <summary>One RPC; the name of the backend that answered, or "error: CODE: details".</summary>
    public async Task<string> CallAsync(string target, string method = WhoAmI, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var result = (await CallsAsync(target, 1, method, metadata)).Results[0];
        return result.Backend ?? $"error: {(int)result.Code}: {result.Details}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("{\"op\":\"quit\"}");
            await _process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _gate.Dispose();
    }

    private async Task<JsonObject> RequestAsync(JsonObject request)
    {
        await _gate.WaitAsync();
        try
        {
            var id = ++_nextId;
            request["id"] = id;
            await _process.StandardInput.WriteLineAsync(request.ToJsonString());
            await _process.StandardInput.FlushAsync();
            var reply = await NextReplyAsync();
            if (reply["id"]?.GetValue<int>() != id)
            {
                throw new InvalidOperationException($"xds-client.mjs answered {reply.ToJsonString()} to request {id}");
            }

            if (reply["error"] is { } error)
            {
                throw new InvalidOperationException($"xds-client.mjs refused {request["op"]}: {error}");
            }

            return reply;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonObject> NextReplyAsync()
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        try
        {
            return await _replies.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"xds-client.mjs sent nothing in time; its stderr:\n{Stderr}", e);
        }
    }
}
