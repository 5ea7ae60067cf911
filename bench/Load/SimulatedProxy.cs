using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// One simulated Envoy sidecar: a real gRPC ADS stream on its own HTTP/2 connection, subscribing as
/// Envoy does (CDS; EDS for its EDS clusters; LDS once the clusters have endpoints; RDS for its
/// listeners' routes) and ACKing every response. State of the world or delta. On a resumed stream it
/// sends what it had, as Envoy 1.18 does after a reconnect: SotW requests with the old version_info
/// and response_nonce, delta requests with initial_resource_versions.
/// </summary>
internal sealed partial class SimulatedProxy
{
    private readonly Node _node;
    private readonly TypeState[] _types = Enumerable.Range(0, XdsTypes.Count).Select(_ => new TypeState()).ToArray();
    private static int _retrying;
    private static int _connecting;
    private static int _answering;
    private int _opening;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private bool _nodeSent;
    private bool _floor;
    private int _errors;

    public SimulatedProxy(ProxyIdentity identity, bool delta)
    {
        Identity = identity;
        IsDelta = delta;
        _node = identity.ToNode();
    }

    public ProxyIdentity Identity { get; }

    public bool IsDelta { get; }

    /// <summary>Streams that failed (other than by our own cancellation); each was retried.</summary>
    public int Errors => Volatile.Read(ref _errors);

    public string? LastError { get; private set; }

    /// <summary>
    /// Opens a new connection and stream to <paramref name="server"/>. <paramref name="resume"/>:
    /// re-send the subscriptions held from the previous stream; otherwise start afresh. In
    /// <paramref name="floor"/> mode the proxy only ACKs what it gets (the floor server sends filler).
    /// A stream that fails is opened again on a new connection after a jittered exponential back-off
    /// (0.5 s doubling to 30 s, as Envoy's xDS client), resuming what the proxy holds.
    /// </summary>
    public void Connect(Uri server, bool resume, bool floor = false)
    {
        _floor = floor;
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(() => RunWithRetriesAsync(server, resume, token));
    }

    /// <summary>Proxies waiting to retry a failed stream right now.</summary>
    public static int Retrying => Volatile.Read(ref _retrying);

    /// <summary>Proxies whose stream is not open yet (connecting, or its first request not yet sent).</summary>
    public static int Connecting => Volatile.Read(ref _connecting);

    /// <summary>Responses received whose ACKs and follow-up requests are not all written yet, across all proxies.</summary>
    public static int Answering => Volatile.Read(ref _answering);

    /// <summary>Writes a response's ACK and follow-up requests, counted in <see cref="Answering"/> until they are written.</summary>
    private static async Task AnswerAsync(Func<Task> answer)
    {
        Interlocked.Increment(ref _answering);
        try
        {
            await answer();
        }
        finally
        {
            Interlocked.Decrement(ref _answering);
        }
    }

    /// <summary>
    /// Closes the stream and its connection, keeping what the proxy holds for a resumed stream. A
    /// stream that does not close within 15 s of cancellation is counted as an error and left behind.
    /// </summary>
    public async Task DisconnectAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        if (await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(15))) != _loop)
        {
            Fail("the stream did not close within 15 s of being cancelled");
            Opened();
            _stop = null;
            return;
        }

        _stop.Dispose();
        _stop = null;
    }

    private async Task RunWithRetriesAsync(Uri server, bool resume, CancellationToken token)
    {
        for (var attempt = 0; !token.IsCancellationRequested; attempt++)
        {
            using (var channel = NewChannel(server))
            {
                Interlocked.Increment(ref _connecting);
                _opening = 1;
                var ok = await GuardAsync(() => IsDelta ? RunDeltaAsync(channel, resume, token) : RunSotwAsync(channel, resume, token), token);
                Opened();
                if (ok)
                {
                    return;
                }
            }

            resume = true;
            var ceiling = Math.Min(30_000, 500 * Math.Pow(2, Math.Min(attempt, 10)));
            Interlocked.Increment(ref _retrying);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _retrying);
            }
        }
    }

    private static GrpcChannel NewChannel(Uri server) => GrpcChannel.ForAddress(server, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            // One connection per proxy, as each Envoy has; a stream window like Envoy's so flow control does not pace big pushes.
            EnableMultipleHttp2Connections = false,
            InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(60),
        },
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
        DisposeHttpClient = true,
    });

    /// <summary>Runs one stream; false when it failed (and was counted), true when it ended because we closed it.</summary>
    private async Task<bool> GuardAsync(Func<Task> stream, CancellationToken token)
    {
        try
        {
            await stream();
            if (token.IsCancellationRequested)
            {
                return true;
            }

            Fail("the server ended the stream");
            return false;
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            return true;
        }
        catch (RpcException e)
        {
            Fail($"{e.StatusCode}: {e.Status.Detail}");
            return false;
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    /// <summary>The stream's first request went out (or the attempt ended): it no longer counts as connecting.</summary>
    private void Opened()
    {
        if (Interlocked.Exchange(ref _opening, 0) == 1)
        {
            Interlocked.Decrement(ref _connecting);
        }
    }

    private void Fail(string message)
    {
        LastError = message;
        Interlocked.Increment(ref _errors);
    }

    private Node? NodeOnce()
    {
        if (_nodeSent)
        {
            return null;
        }

        _nodeSent = true;
        return _node;
    }

    /// <summary>What the proxy holds and asked for of one type.</summary>
    private sealed class TypeState
    {
        public bool Requested { get; set; }

        /// <summary>SotW: the last version_info received (Envoy sends the last accepted one; we accept everything).</summary>
        public string Version { get; set; } = string.Empty;

        public string Nonce { get; set; } = string.Empty;

        /// <summary>SotW: resource_names of the subscription (EDS and RDS; empty means wildcard for CDS and LDS).</summary>
        public string[] Names { get; set; } = [];

        /// <summary>Delta: names subscribed to (EDS and RDS).</summary>
        public HashSet<string> Subscribed { get; } = new(StringComparer.Ordinal);

        /// <summary>Delta: the version of every resource held, sent back as initial_resource_versions on a resumed stream.</summary>
        public Dictionary<string, string> Known { get; } = new(StringComparer.Ordinal);

        /// <summary>Delta, CDS and LDS: per resource, the names it makes the proxy subscribe to (EDS service, RDS routes).</summary>
        public Dictionary<string, string[]> Derived { get; } = new(StringComparer.Ordinal);

        /// <param name="keepNames">Keep <see cref="Names"/> (a proxy moving to the floor server ACKs with what it holds).</param>
        public void Reset(bool keepNames = false)
        {
            Requested = false;
            Version = string.Empty;
            Nonce = string.Empty;
            Names = keepNames ? Names : [];
            Subscribed.Clear();
            Known.Clear();
            Derived.Clear();
        }
    }
}
