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
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private MeshChange? _pendingPush;

    public ProxyConnection(string id, string flavor, string peer)
    {
        Id = id;
        Flavor = flavor;
        Peer = peer;
    }

    public string Id { get; }

    /// <summary>"sotw" or "delta".</summary>
    public string Flavor { get; }

    public string Peer { get; }

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public ProxyNode? Node { get; internal set; }

    internal ChannelReader<object> Events => _events.Reader;

    internal void EnqueueRequest(object request) => _events.Writer.TryWrite(request);

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
