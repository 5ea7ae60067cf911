using System.Collections.Concurrent;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>The live streams, for pushes and for the debug endpoints.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ProxyConnection> _connections = new(StringComparer.Ordinal);
    private long _removed;

    public int Count => _connections.Count;

    /// <summary>Streams that ended since the server started (see <see cref="Hosting.IdleMemoryTrimmer"/>).</summary>
    public long Removed => Interlocked.Read(ref _removed);

    public IReadOnlyList<ProxyConnection> All => _connections.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();

    public void Add(ProxyConnection connection)
    {
        _connections[connection.Id] = connection;
        XdsMetrics.ConnectedProxies.Set(_connections.Count);
    }

    public void Remove(ProxyConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Increment(ref _removed);
        }

        XdsMetrics.ConnectedProxies.Set(_connections.Count);
    }

    public void PushAll(MeshChange change)
    {
        foreach (var connection in _connections.Values)
        {
            connection.NotifyPush(change);
        }
    }
}
