using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>tests/interop/xds-client.mjs as a child process: two gRPC backends and a proxyless xDS client.</summary>
public sealed class GrpcXdsClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _stderr = new();

    private GrpcXdsClientProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _events.Writer.TryComplete();
                return;
            }

            _events.Writer.TryWrite(JsonDocument.Parse(e.Data).RootElement.Clone());
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int BackendAPort { get; private set; }

    public int BackendBPort { get; private set; }

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

    public static async Task<GrpcXdsClientProcess> StartAsync(string bootstrapPath)
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
        var client = new GrpcXdsClientProcess(Process.Start(start)!);
        var backends = await client.NextEventAsync();
        backends.GetProperty("event").GetString().Should().Be("backends");
        client.BackendAPort = backends.GetProperty("a").GetInt32();
        client.BackendBPort = backends.GetProperty("b").GetInt32();
        return client;
    }

    /// <summary>One RPC; returns the backend name ("A" or "B") or the error text.</summary>
    public async Task<string> CallAsync(string target)
    {
        await _process.StandardInput.WriteLineAsync($"call {target}");
        await _process.StandardInput.FlushAsync();
        var reply = await NextEventAsync();
        return reply.GetProperty("event").GetString() == "reply"
            ? reply.GetProperty("backend").GetString()!
            : "error: " + reply.GetProperty("message").GetString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            await _process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task<JsonElement> NextEventAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await _events.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"xds-client.mjs sent nothing in time; its stderr:\n{Stderr}", e);
        }
    }
}
