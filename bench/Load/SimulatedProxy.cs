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
    private GrpcChannel? _channel;
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

    /// <summary>Streams that ended with an error other than our own cancellation.</summary>
    public int Errors => Volatile.Read(ref _errors);

    public string? LastError { get; private set; }

    /// <summary>
    /// Opens a new connection and stream to <paramref name="server"/>. <paramref name="resume"/>:
    /// re-send the subscriptions held from the previous stream; otherwise start afresh. In
    /// <paramref name="floor"/> mode the proxy only ACKs what it gets (the floor server sends filler).
    /// </summary>
    public void Connect(Uri server, bool resume, bool floor = false)
    {
        _floor = floor;
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
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
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        var channel = _channel;
        _loop = Task.Run(() => IsDelta ? RunDeltaAsync(channel, resume, token) : RunSotwAsync(channel, resume, token));
    }

    /// <summary>Closes the stream and its connection, keeping what the proxy holds for a resumed stream.</summary>
    public async Task DisconnectAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        _channel?.Dispose();
        _stop.Dispose();
        _stop = null;
        _channel = null;
    }

    private async Task GuardAsync(Func<Task> stream, CancellationToken token)
    {
        try
        {
            await stream();
            if (!token.IsCancellationRequested)
            {
                Fail("the server ended the stream");
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // We closed it.
        }
        catch (RpcException e)
        {
            Fail($"{e.StatusCode}: {e.Status.Detail}");
        }
        catch (Exception e) when (e is IOException or HttpRequestException or FormatException or InvalidOperationException)
        {
            Fail($"{e.GetType().Name}: {e.Message}");
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

        public void Reset()
        {
            Requested = false;
            Version = string.Empty;
            Nonce = string.Empty;
            Names = [];
            Subscribed.Clear();
            Known.Clear();
            Derived.Clear();
        }
    }
}
