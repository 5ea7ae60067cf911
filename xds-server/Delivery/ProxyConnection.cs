using System.Threading.Channels;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// One live ADS stream. Requests and push notifications are queued to the stream's own loop, so
/// its state is only touched there; pushes coalesce into one pending change.
/// </summary>
public sealed class ProxyConnection
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TypeStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<ConfigKey, int> _loggedNotices = new();
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _requestSlots;
    private MeshChange? _pendingPush;
    private long _requestsRead;
    private volatile bool _readingPaused;

    /// <param name="maxQueuedRequests">Requests taken from the proxy and not yet handled, at most.</param>
    public ProxyConnection(string id, string flavor, string peer, int maxQueuedRequests = 4)
    {
        Id = id;
        Flavor = flavor;
        Peer = peer;
        _requestSlots = new SemaphoreSlim(maxQueuedRequests, maxQueuedRequests);
    }

    public string Id { get; }

    /// <summary>"sotw" or "delta".</summary>
    public string Flavor { get; }

    public string Peer { get; }

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public ProxyNode? Node { get; internal set; }

    /// <summary>What the clusters last sent carry that the proxy will not do as configured (see <see cref="Generation.ConfigNotice"/>).</summary>
    public System.Collections.Immutable.ImmutableArray<Generation.ConfigNotice> Notices { get; internal set; } = System.Collections.Immutable.ImmutableArray<Generation.ConfigNotice>.Empty;

    /// <summary>True when the object's notices name other clusters than when last logged for this proxy (or were never logged): log them.</summary>
    internal bool MarkNoticeLogged(ConfigKey obj, IReadOnlyList<string> clusters)
    {
        var hash = new HashCode();
        foreach (var cluster in clusters)
        {
            hash.Add(cluster, StringComparer.Ordinal);
        }

        var signature = hash.ToHashCode();
        lock (_gate)
        {
            if (_loggedNotices.TryGetValue(obj, out var logged) && logged == signature)
            {
                return false;
            }

            _loggedNotices[obj] = signature;
            return true;
        }
    }

    internal ChannelReader<object> Events => _events.Reader;

    /// <summary>
    /// Waits until fewer than the maximum requests are queued. The reader does not read the next
    /// request before, so a proxy writing faster than its requests are handled meets HTTP/2 flow
    /// control instead of growing a queue.
    /// </summary>
    internal async Task WaitForRequestSlotAsync(CancellationToken cancellationToken)
    {
        if (_requestSlots.Wait(0, CancellationToken.None))
        {
            return;
        }

        _readingPaused = true;
        await _requestSlots.WaitAsync(cancellationToken);
        _readingPaused = false;
    }

    /// <summary>True while the stream does not read from the proxy because its queue is full.</summary>
    public bool ReadingPaused => _readingPaused;

    /// <summary>Requests read from the proxy since the stream opened.</summary>
    public long RequestsRead => Interlocked.Read(ref _requestsRead);

    internal void EnqueueRequest(object request)
    {
        Interlocked.Increment(ref _requestsRead);
        _events.Writer.TryWrite(request);
    }

    /// <summary>Called by the stream loop for each request it takes from the queue.</summary>
    internal void RequestTaken() => _requestSlots.Release();

    internal void Complete(Exception? error = null) => _events.Writer.TryComplete(error);

    /// <summary>Called by the push pipeline; never blocks on this proxy.</summary>
    public void NotifyPush(MeshChange change)
    {
        lock (_gate)
        {
            if (_pendingPush is not null)
            {
                _pendingPush = _pendingPush.Merge(change);
                return;
            }

            _pendingPush = change;
        }

        _events.Writer.TryWrite(PushMarker.Instance);
    }

    internal MeshChange? TakePendingPush()
    {
        lock (_gate)
        {
            var change = _pendingPush;
            _pendingPush = null;
            return change;
        }
    }

    internal TypeStatus Status(string typeUrl)
    {
        lock (_gate)
        {
            if (!_statuses.TryGetValue(typeUrl, out var status))
            {
                _statuses[typeUrl] = status = new TypeStatus { TypeUrl = typeUrl };
            }

            return status;
        }
    }

    internal void UpdateStatus(string typeUrl, Action<TypeStatus> update)
    {
        lock (_gate)
        {
            update(Status(typeUrl));
        }
    }

    public IReadOnlyList<TypeStatus> Statuses()
    {
        lock (_gate)
        {
            return _statuses.Values.Select(s => s.Copy()).OrderBy(s => s.TypeUrl, StringComparer.Ordinal).ToList();
        }
    }

    internal sealed class PushMarker
    {
        public static readonly PushMarker Instance = new();
    }
}
