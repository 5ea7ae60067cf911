using System.Collections.Concurrent;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.ObjectStatus;

/// <summary>
/// What this xds-server knows about each InterfaceOutlierDetection for its status: the generation the
/// Kubernetes source last read and whether it was valid, and the first MOSN proxy that received one of
/// its clusters since that generation. One small entry per object, dropped when the object is deleted.
/// <see cref="Changed"/> is raised when something the status says changes (not for later MOSN receipts
/// of the same generation), so the writer is not woken per proxy.
/// </summary>
public sealed class InterfaceOutlierStatusTracker
{
    private readonly ConcurrentDictionary<ObjectKey, Entry> _entries = new();

    /// <summary>Raised with the key whose status may need writing; called on the reporter's thread, keep it short.</summary>
    public event Action<ObjectKey>? Changed;

    /// <summary>The source read <paramref name="generation"/> of the object; <paramref name="error"/> is why it is invalid, null when valid.</summary>
    public void Observed(ObjectKey key, long generation, string? error)
    {
        var changed = false;
        _entries.AddOrUpdate(
            key,
            _ =>
            {
                changed = true;
                return new Entry(new Observation(generation, error), null);
            },
            (_, entry) =>
            {
                if (entry.Observation.Generation == generation && entry.Observation.Error == error)
                {
                    return entry;
                }

                changed = true;
                // A new generation is judged afresh: MOSN proxies report again when they get its clusters.
                return new Entry(new Observation(generation, error), entry.Observation.Generation == generation ? entry.Mosn : null);
            });
        if (changed)
        {
            Changed?.Invoke(key);
        }
    }

    public void Deleted(ObjectKey key) => _entries.TryRemove(key, out _);

    /// <summary>A MOSN proxy was sent <paramref name="cluster"/>, one of the object's interface clusters.</summary>
    public void MosnReceived(ObjectKey key, string proxyId, string cluster)
    {
        var first = false;
        var receipt = new MosnReceipt(proxyId, cluster, DateTimeOffset.UtcNow);
        _entries.AddOrUpdate(
            key,
            _ =>
            {
                first = true;
                return new Entry(new Observation(null, null), receipt);
            },
            (_, entry) =>
            {
                if (entry.Mosn is not null)
                {
                    return entry;
                }

                first = true;
                return entry with { Mosn = receipt };
            });
        if (first)
        {
            Changed?.Invoke(key);
        }
    }

    /// <summary>What is known of the object, or null.</summary>
    public Entry? Get(ObjectKey key) => _entries.GetValueOrDefault(key);

    /// <summary>The objects known, e.g. for a writer that starts late.</summary>
    public IReadOnlyCollection<ObjectKey> Keys => _entries.Keys.ToList();

    /// <param name="Generation">metadata.generation read by the source; null when only a file (or nothing) defined it.</param>
    /// <param name="Error">Why that generation is invalid; null when valid.</param>
    public sealed record Observation(long? Generation, string? Error);

    public sealed record MosnReceipt(string ProxyId, string Cluster, DateTimeOffset At);

    /// <param name="Mosn">The first MOSN proxy that received one of its clusters since <see cref="Observation"/>; null when none.</param>
    public sealed record Entry(Observation Observation, MosnReceipt? Mosn);
}
