using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Store;

/// <summary>
/// Delivers a store's changes to its subscribers one at a time and in the order they were made,
/// without the store's lock held. Writers enqueue under the store's lock (so the queue is in snapshot
/// version order) and then deliver; a writer that finds another delivering leaves its change to that
/// one. Without this, two sources writing at once (the Services and the EndpointSlices informers)
/// could tell subscribers of version N+1 before version N, and the push debouncer, having published
/// N+1, dropped N as stale: a Service change then reached no proxy.
/// </summary>
internal sealed class ChangeNotifier
{
    private readonly Queue<(MeshSnapshot Snapshot, MeshChange Change, TimeSpan ObservedAgo)> _queue = new();
    private bool _delivering;

    /// <summary>Queues a change; call it under the store's lock, in the order the changes are made.</summary>
    public void Enqueue(MeshSnapshot snapshot, MeshChange change, TimeSpan observedAgo)
    {
        lock (_queue)
        {
            _queue.Enqueue((snapshot, change, observedAgo));
        }
    }

    /// <summary>
    /// Delivers what is queued unless another thread is delivering (it delivers this too). A
    /// subscriber that throws does not stop the others or later changes; the first exception is
    /// rethrown once the queue is empty.
    /// </summary>
    public void Deliver(Func<ImmutableArray<Action<MeshSnapshot, MeshChange, TimeSpan>>> subscribers)
    {
        ExceptionDispatchInfo? failure = null;
        while (true)
        {
            (MeshSnapshot Snapshot, MeshChange Change, TimeSpan ObservedAgo) next;
            lock (_queue)
            {
                if (_delivering || !_queue.TryDequeue(out next))
                {
                    break;
                }

                _delivering = true;
            }

            try
            {
                foreach (var subscriber in subscribers())
                {
                    try
                    {
                        subscriber(next.Snapshot, next.Change, next.ObservedAgo);
                    }
                    catch (Exception e)
                    {
                        failure ??= ExceptionDispatchInfo.Capture(e);
                    }
                }
            }
            finally
            {
                lock (_queue)
                {
                    _delivering = false;
                }
            }
        }

        failure?.Throw();
    }
}
