using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Mesh.Store;

/// <summary>
/// Every source (files, Kubernetes) writes here; every consumer reads the snapshots it publishes.
/// Objects are kept per origin (a file, a cluster) so that a source can replace what it said wholesale.
/// When two origins define the same object, the first origin in ordinal order wins, and it is logged.
/// An object equal to the one the snapshot holds keeps the held instance (and makes no change), so
/// unchanged objects keep their identity across snapshots.
/// </summary>
public sealed class MeshObjectStore
{
    private readonly object _gate = new();
    private readonly ILogger<MeshObjectStore> _logger;
    private readonly Dictionary<string, Dictionary<(string Kind, ObjectKey Key), MeshObject>> _byOrigin = new(StringComparer.Ordinal);
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _sliceKeysByService = new();
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _sliceKeysByPod = new();
    private MeshSnapshot _current = MeshSnapshot.Empty;
    private ImmutableSortedDictionary<ObjectKey, MeshEndpointSlice> _slices = ImmutableSortedDictionary<ObjectKey, MeshEndpointSlice>.Empty;
    private ImmutableArray<Action<MeshSnapshot, MeshChange, TimeSpan>> _subscribers = ImmutableArray<Action<MeshSnapshot, MeshChange, TimeSpan>>.Empty;
    private readonly ChangeNotifier _notifier = new();

    public MeshObjectStore(ILogger<MeshObjectStore> logger)
    {
        _logger = logger;
    }

    public MeshSnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// Called after every change, one change at a time and in the order the changes were made (snapshot
    /// version order), outside the store's lock: keep it short. It runs on the thread of the change's
    /// writer or of a writer of an earlier change still delivering, so a write may return before its
    /// own change has been delivered while another thread delivers.
    /// </summary>
    public void Subscribe(Action<MeshSnapshot, MeshChange> onChange) => Subscribe((snapshot, change, _) => onChange(snapshot, change));

    /// <summary>
    /// Called after every change, in order, as <see cref="Subscribe(Action{MeshSnapshot, MeshChange})"/> says. The
    /// <see cref="TimeSpan"/> is how long before the call the source saw the change (zero when it
    /// saw it as it wrote it; a file source waits for a burst of writes to settle, then reads).
    /// </summary>
    public void Subscribe(Action<MeshSnapshot, MeshChange, TimeSpan> onChange)
    {
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(onChange));
    }

    /// <summary>Makes <paramref name="objects"/> everything <paramref name="origin"/> defines.</summary>
    /// <param name="observedAgo">How long ago the source saw this change (see <see cref="Subscribe(Action{MeshSnapshot, MeshChange, TimeSpan})"/>); zero or more.</param>
    public void Replace(string origin, IEnumerable<MeshObject> objects, TimeSpan observedAgo = default) =>
        ReplaceAll([(origin, objects)], observedAgo);

    /// <summary>
    /// Makes each origin's objects everything it defines, as one change: one snapshot and one
    /// notification for all of them (a config directory's scan), so that subscribers never see some
    /// of the origins replaced and not the others.
    /// </summary>
    /// <param name="observedAgo">How long ago the source saw these changes; zero or more.</param>
    public void ReplaceAll(IReadOnlyCollection<(string Origin, IEnumerable<MeshObject> Objects)> origins, TimeSpan observedAgo = default)
    {
        var changes = new List<(string, Func<Dictionary<(string Kind, ObjectKey Key), MeshObject>, HashSet<(string Kind, ObjectKey Key)>>)>(origins.Count);
        foreach (var (origin, objects) in origins)
        {
            var incoming = new Dictionary<(string, ObjectKey), MeshObject>();
            foreach (var obj in objects)
            {
                incoming[(obj.Kind, obj.Key)] = obj;
            }

            changes.Add((origin, existing =>
            {
                var touched = new HashSet<(string Kind, ObjectKey Key)>(existing.Keys);
                touched.UnionWith(incoming.Keys);
                existing.Clear();
                foreach (var pair in incoming)
                {
                    existing[pair.Key] = pair.Value;
                }

                return touched;
            }));
        }

        Mutate(changes, observedAgo);
    }

    public void Upsert(string origin, MeshObject obj) =>
        Mutate(origin, existing =>
        {
            existing[(obj.Kind, obj.Key)] = obj;
            return new HashSet<(string, ObjectKey)> { (obj.Kind, obj.Key) };
        });

    public void Delete(string origin, string kind, ObjectKey key) =>
        Mutate(origin, existing => existing.Remove((kind, key))
            ? new HashSet<(string, ObjectKey)> { (kind, key) }
            : new HashSet<(string, ObjectKey)>());

    /// <summary>What one origin currently defines (for sources that diff before they write).</summary>
    public IReadOnlyCollection<MeshObject> ObjectsOf(string origin)
    {
        lock (_gate)
        {
            return _byOrigin.TryGetValue(origin, out var objects) ? objects.Values.ToList() : Array.Empty<MeshObject>();
        }
    }

    private void Mutate(string origin, Func<Dictionary<(string Kind, ObjectKey Key), MeshObject>, HashSet<(string Kind, ObjectKey Key)>> change) =>
        Mutate([(origin, change)], TimeSpan.Zero);

    private void Mutate(IReadOnlyList<(string Origin, Func<Dictionary<(string Kind, ObjectKey Key), MeshObject>, HashSet<(string Kind, ObjectKey Key)>> Change)> changes, TimeSpan observedAgo)
    {
        MeshSnapshot snapshot;
        MeshChange meshChange;
        lock (_gate)
        {
            var touched = new HashSet<(string Kind, ObjectKey Key)>();
            foreach (var (origin, change) in changes)
            {
                if (!_byOrigin.TryGetValue(origin, out var existing))
                {
                    _byOrigin[origin] = existing = new Dictionary<(string, ObjectKey), MeshObject>();
                }

                touched.UnionWith(change(existing));
                if (existing.Count == 0)
                {
                    _byOrigin.Remove(origin);
                }
            }

            (snapshot, meshChange) = Rebuild(touched);
            if (ReferenceEquals(snapshot, _current))
            {
                return;
            }

            Volatile.Write(ref _current, snapshot);

            // A Pod (or WorkloadEntry) nothing selects changes nothing proxies get: the snapshot holds it for later, quietly.
            if (meshChange.IsEmpty)
            {
                return;
            }

            _notifier.Enqueue(snapshot, meshChange, observedAgo < TimeSpan.Zero ? TimeSpan.Zero : observedAgo);
        }

        _notifier.Deliver(() => _subscribers);
    }

    private (MeshSnapshot, MeshChange) Rebuild(HashSet<(string Kind, ObjectKey Key)> touched)
    {
        var services = _current.Services;
        var slicesByService = _current.SlicesByService;
        var changedServices = ImmutableHashSet.CreateBuilder<ObjectKey>();
        var changedEndpoints = new HashSet<ObjectKey>();
        var podEndpoints = new HashSet<ObjectKey>();
        var istio = _current.Istio;
        var pods = _current.Pods;
        var istioChanges = new List<(string Kind, ObjectKey Key, MeshIstioObject? Old, MeshIstioObject? New)>();
        var podChanges = new List<(ObjectKey Key, MeshPod? Old, MeshPod? New)>();

        foreach (var (kind, key) in touched)
        {
            var winner = Resolve(kind, key);
            if (IstioObjects.Kinds.Contains(kind))
            {
                var oldConfig = istio.Find(kind, key);
                if (!ReferenceEquals(oldConfig, winner) && !Equals(oldConfig, winner))
                {
                    istio = istio.With(kind, key, winner as MeshIstioObject);
                    istioChanges.Add((kind, key, oldConfig, winner as MeshIstioObject));
                }

                continue;
            }

            switch (kind)
            {
                case MeshPod.KindName:
                    pods.TryGetValue(key, out var oldPod);
                    if (ReferenceEquals(oldPod, winner) || Equals(oldPod, winner))
                    {
                        continue;
                    }

                    pods = winner is MeshPod pod ? pods.SetItem(key, pod) : pods.Remove(key);
                    podChanges.Add((key, oldPod, winner as MeshPod));
                    // Its labels choose the subsets of the endpoints that name it.
                    foreach (var sliceKey in _sliceKeysByPod.GetValueOrDefault(key) ?? [])
                    {
                        podEndpoints.Add(_slices[sliceKey].ServiceKey);
                    }

                    break;

                case "Service":
                    services.TryGetValue(key, out var oldService);
                    if (ReferenceEquals(oldService, winner) || Equals(oldService, winner))
                    {
                        continue;
                    }

                    services = winner is MeshService service ? services.SetItem(key, service) : services.Remove(key);
                    changedServices.Add(key);
                    break;

                case "EndpointSlice":
                    _slices.TryGetValue(key, out var oldSlice);
                    if (ReferenceEquals(oldSlice, winner) || Equals(oldSlice, winner))
                    {
                        continue;
                    }

                    if (oldSlice is not null)
                    {
                        _slices = _slices.Remove(key);
                        _sliceKeysByService[oldSlice.ServiceKey].Remove(key);
                        IndexPods(oldSlice, add: false);
                        changedEndpoints.Add(oldSlice.ServiceKey);
                    }

                    if (winner is MeshEndpointSlice slice)
                    {
                        _slices = _slices.SetItem(key, slice);
                        if (!_sliceKeysByService.TryGetValue(slice.ServiceKey, out var sliceKeys))
                        {
                            _sliceKeysByService[slice.ServiceKey] = sliceKeys = new HashSet<ObjectKey>();
                        }

                        sliceKeys.Add(key);
                        IndexPods(slice, add: true);
                        changedEndpoints.Add(slice.ServiceKey);
                    }

                    break;
            }
        }

        foreach (var serviceKey in changedEndpoints)
        {
            var sliceKeys = _sliceKeysByService.GetValueOrDefault(serviceKey);
            if (sliceKeys is null || sliceKeys.Count == 0)
            {
                _sliceKeysByService.Remove(serviceKey);
                slicesByService = slicesByService.Remove(serviceKey);
                continue;
            }

            slicesByService = slicesByService.SetItem(
                serviceKey,
                sliceKeys.OrderBy(k => k).Select(k => _slices[k]).ToImmutableArray());
        }

        // A headless service's listeners are made from its endpoints (one per pod IP), so its
        // endpoint changes are service changes: istiod pushes in full for them too.
        foreach (var serviceKey in changedEndpoints)
        {
            if (services.TryGetValue(serviceKey, out var service) && service.Resolution == MeshResolution.Passthrough)
            {
                changedServices.Add(serviceKey);
            }
        }

        // Pod label changes are endpoint changes only: no listener depends on labels.
        changedEndpoints.UnionWith(podEndpoints);

        // ServiceEntries, WorkloadEntries and Pods they select: endpoint changes where only EDS depends on them.
        var selection = new WorkloadSelectionChanges(istio, services);
        foreach (var (kind, key, old, current) in istioChanges)
        {
            selection.IstioObjectChanged(kind, key, old, current);
        }

        foreach (var (key, old, current) in podChanges)
        {
            selection.PodChanged(key, old, current);
        }

        changedEndpoints.UnionWith(selection.ServiceEndpoints);
        var meshChange = new MeshChange(false, changedServices.ToImmutable(), changedEndpoints.ToImmutableHashSet())
        {
            Config = selection.Config.ToImmutable(),
            EndpointConfig = selection.EndpointConfig.ToImmutable(),
        };
        if (meshChange.IsEmpty && ReferenceEquals(pods, _current.Pods) && ReferenceEquals(istio, _current.Istio))
        {
            return (_current, meshChange);
        }

        return (new MeshSnapshot(_current.Version + 1, services, slicesByService, istio, pods), meshChange);
    }

    /// <summary>Remembers which slices name each pod, so that a pod's change finds the services it backs.</summary>
    private void IndexPods(MeshEndpointSlice slice, bool add)
    {
        foreach (var endpoint in slice.Endpoints)
        {
            if (endpoint.PodName is not { } podName)
            {
                continue;
            }

            var podKey = new ObjectKey(slice.Key.Namespace, podName);
            if (add)
            {
                if (!_sliceKeysByPod.TryGetValue(podKey, out var keys))
                {
                    _sliceKeysByPod[podKey] = keys = new HashSet<ObjectKey>();
                }

                keys.Add(slice.Key);
            }
            else if (_sliceKeysByPod.TryGetValue(podKey, out var keys) && keys.Remove(slice.Key) && keys.Count == 0)
            {
                _sliceKeysByPod.Remove(podKey);
            }
        }
    }

    private MeshObject? Resolve(string kind, ObjectKey key)
    {
        MeshObject? winner = null;
        string? winnerOrigin = null;
        foreach (var (origin, objects) in _byOrigin)
        {
            if (!objects.TryGetValue((kind, key), out var candidate))
            {
                continue;
            }

            if (winnerOrigin is null || string.CompareOrdinal(origin, winnerOrigin) < 0)
            {
                if (winnerOrigin is not null)
                {
                    LogConflict(kind, key, origin, winnerOrigin);
                }

                winner = candidate;
                winnerOrigin = origin;
            }
            else
            {
                LogConflict(kind, key, winnerOrigin, origin);
            }
        }

        return winner;
    }

    private void LogConflict(string kind, ObjectKey key, string kept, string ignored) =>
        _logger.LogWarning(
            "{Kind} {Namespace}/{Name} is defined by both {KeptOrigin} and {IgnoredOrigin}; using the one from {KeptOrigin}",
            kind, key.Namespace, key.Name, kept, ignored, kept);
}
