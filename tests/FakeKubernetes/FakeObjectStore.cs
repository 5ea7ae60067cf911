using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// The fake's etcd: objects per resource, one global resourceVersion counter, the history of
/// changes (which watches replay from a version), and the open watches to notify.
/// </summary>
public sealed class FakeObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly List<StoredEvent> _history = new();
    private readonly List<(string ResourceKey, string? Namespace, Channel<StoredEvent> Channel)> _watchers = new();
    private readonly ServiceAllocator _services = new();
    private long _version = 1000;
    private long _compactedThrough;

    public long CurrentVersion
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public (List<JsonObject> Items, long Version) List(ResourceType type, string? ns, Func<JsonObject, bool> filter)
    {
        lock (_gate)
        {
            var items = Bucket(type).Values
                .Where(o => ns is null || Namespace(o) == ns)
                .Where(filter)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _version);
        }
    }

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Bucket(type).TryGetValue(Id(ns, name), out var found)
                ? (JsonObject)found.DeepClone()
                : throw ApiError.NotFound($"{type.Plural} \"{name}\"");
        }
    }

    /// <summary>Stores a new object; with <paramref name="dryRun"/> only shows what would be stored, as ?dryRun=All does.</summary>
    public JsonObject Create(ResourceType type, string? ns, JsonObject obj, bool dryRun = false)
    {
        lock (_gate)
        {
            var metadata = Metadata(obj);
            var name = metadata["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = metadata["generateName"]?.GetValue<string>() ?? throw ApiError.BadRequest("metadata.name or metadata.generateName is required");
                name = prefix + Guid.NewGuid().ToString("N")[..5];
                metadata["name"] = name;
            }

            if (Bucket(type).ContainsKey(Id(ns, name)))
            {
                throw ApiError.AlreadyExists($"{type.Plural} \"{name}\"");
            }

            if (ns is not null)
            {
                metadata["namespace"] = ns;
            }

            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
            metadata["generation"] = 1L;
            if (type.Kind == "Service" && type.Group.Length == 0)
            {
                _services.OnCreate(obj);
            }

            return dryRun ? (JsonObject)obj.DeepClone() : Commit(type, ns, name, obj, "ADDED");
        }
    }

    /// <summary>Replaces an object (or, with <paramref name="statusOnly"/>, just its status), checking resourceVersion if given.</summary>
    public JsonObject Replace(ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> change, bool statusOnly)
    {
        lock (_gate)
        {
            if (!Bucket(type).TryGetValue(Id(ns, name), out var current))
            {
                throw ApiError.NotFound($"{type.Plural} \"{name}\"");
            }

            var updated = change((JsonObject)current.DeepClone());
            var expected = Metadata(updated)["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(expected) && expected != Metadata(current)["resourceVersion"]?.GetValue<string>())
            {
                throw ApiError.Conflict($"{type.Plural} \"{name}\"");
            }

            JsonObject result;
            if (statusOnly)
            {
                result = (JsonObject)current.DeepClone();
                result["status"] = updated["status"]?.DeepClone();
            }
            else
            {
                result = updated;
                // Immutable fields stay; status is changed only through its subresource.
                var metadata = Metadata(result);
                var before = Metadata(current);
                foreach (var field in new[] { "uid", "creationTimestamp", "namespace", "name" })
                {
                    metadata[field] = before[field]?.DeepClone();
                }

                result["status"] = current["status"]?.DeepClone();
                if (type.Kind == "Service" && type.Group.Length == 0)
                {
                    ServiceAllocator.OnReplace(current, result);
                }

                result["apiVersion"] = type.ApiVersion;
                result["kind"] = type.Kind;
                var generation = before["generation"] is JsonValue value && value.TryGetValue<long>(out var number) ? number : 1L;
                var specChanged = !JsonNode.DeepEquals(current["spec"], result["spec"]);
                metadata["generation"] = specChanged ? generation + 1 : generation;
            }

            return Commit(type, ns, name, result, "MODIFIED");
        }
    }

    public JsonObject Delete(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            if (!Bucket(type).Remove(Id(ns, name), out var removed))
            {
                throw ApiError.NotFound($"{type.Plural} \"{name}\"");
            }

            _version++;
            Metadata(removed)["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Publish(new StoredEvent(_version, type.Key, ns, "DELETED", removed));
            return (JsonObject)removed.DeepClone();
        }
    }

    /// <summary>The stored object of that name, or null.</summary>
    public JsonObject? Find(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Bucket(type).TryGetValue(Id(ns, name), out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    /// <summary>Whether any stored object, of any kind, has this uid (what the garbage collector asks of an owner).</summary>
    public bool HasUid(string uid)
    {
        lock (_gate)
        {
            return _objects.Values.Any(bucket => bucket.Values.Any(o => Uid(o) == uid));
        }
    }

    /// <summary>Every stored object whose metadata.ownerReferences name <paramref name="ownerUid"/>.</summary>
    public List<(ResourceType Type, string? Namespace, string Name)> DependentsOf(string ownerUid)
    {
        lock (_gate)
        {
            return Everything()
                .Where(entry => (entry.Object["metadata"]?["ownerReferences"] as JsonArray ?? []).Any(r => r?["uid"]?.GetValue<string>() == ownerUid))
                .Select(entry => (entry.Type, Namespace(entry.Object), Name(entry.Object)))
                .ToList();
        }
    }

    /// <summary>Every namespaced object in <paramref name="ns"/>, of every kind (what the namespace controller deletes).</summary>
    public List<(ResourceType Type, string Name)> ContentsOf(string ns)
    {
        lock (_gate)
        {
            return Everything().Where(entry => entry.Type.Namespaced && Namespace(entry.Object) == ns).Select(entry => (entry.Type, Name(entry.Object))).ToList();
        }
    }

    /// <summary>
    /// Marks a namespace Terminating, as a real server answers its deletion: deletionTimestamp set, phase
    /// Terminating, the "kubernetes" finalizer held until the namespace controller has emptied it.
    /// </summary>
    /// <returns>The namespace, and whether this call started its termination (false when it already was).</returns>
    public (JsonObject Namespace, bool Started) Terminate(ResourceType namespaces, string name)
    {
        lock (_gate)
        {
            if (!Bucket(namespaces).TryGetValue(Id(null, name), out var current))
            {
                throw ApiError.NotFound($"{namespaces.Plural} \"{name}\"");
            }

            if (current["metadata"]?["deletionTimestamp"] is not null)
            {
                return ((JsonObject)current.DeepClone(), false);
            }

            var terminating = (JsonObject)current.DeepClone();
            Metadata(terminating)["deletionTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
            terminating["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
            return (Commit(namespaces, null, name, terminating, "MODIFIED"), true);
        }
    }

    /// <summary>
    /// Opens a watch: replays what happened after <paramref name="fromVersion"/> (or announces every
    /// object when it is null), then follows live changes. Versions compacted away answer 410 Gone.
    /// </summary>
    public ChannelReader<StoredEvent> Watch(ResourceType type, string? ns, long? fromVersion, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<StoredEvent>();
        lock (_gate)
        {
            if (fromVersion is null)
            {
                foreach (var obj in Bucket(type).Values.Where(o => ns is null || Namespace(o) == ns))
                {
                    channel.Writer.TryWrite(new StoredEvent(_version, type.Key, Namespace(obj), "ADDED", (JsonObject)obj.DeepClone()));
                }
            }
            else if (fromVersion < _compactedThrough)
            {
                throw ApiError.Gone($"too old resource version: {fromVersion} ({_compactedThrough})");
            }
            else
            {
                foreach (var change in _history.Where(e => e.ResourceVersion > fromVersion && e.ResourceKey == type.Key && (ns is null || e.Namespace == ns)))
                {
                    channel.Writer.TryWrite(change with { Object = (JsonObject)change.Object.DeepClone() });
                }
            }

            var watcher = (type.Key, ns, channel);
            _watchers.Add(watcher);
            cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    _watchers.Remove(watcher);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }

    /// <summary>Forgets the history, so every watch from an older version gets 410 Gone (as after etcd compaction).</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _version + 1;
        }
    }

    /// <summary>Ends every open watch, as when the API server restarts or a connection drops.</summary>
    public void CloseWatches()
    {
        lock (_gate)
        {
            foreach (var (_, _, channel) in _watchers)
            {
                channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    public int OpenWatches(string plural)
    {
        lock (_gate)
        {
            return _watchers.Count(w => w.ResourceKey.EndsWith("/" + plural, StringComparison.Ordinal));
        }
    }

    private JsonObject Commit(ResourceType type, string? ns, string name, JsonObject obj, string eventType)
    {
        _version++;
        Metadata(obj)["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Bucket(type)[Id(ns, name)] = obj;
        Publish(new StoredEvent(_version, type.Key, ns, eventType, (JsonObject)obj.DeepClone()));
        return (JsonObject)obj.DeepClone();
    }

    private void Publish(StoredEvent change)
    {
        _history.Add(change);
        foreach (var (key, ns, channel) in _watchers)
        {
            if (key == change.ResourceKey && (ns is null || ns == change.Namespace))
            {
                channel.Writer.TryWrite(change with { Object = (JsonObject)change.Object.DeepClone() });
            }
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(ResourceType type)
    {
        if (!_objects.TryGetValue(type.Key, out var bucket))
        {
            _objects[type.Key] = bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        return bucket;
    }

    private IEnumerable<(ResourceType Type, JsonObject Object)> Everything() =>
        _objects.SelectMany(bucket => ResourceType.All.FirstOrDefault(t => t.Key == bucket.Key) is { } type
            ? bucket.Value.Values.Select(o => (type, o))
            : []).ToList();

    private static string Id(string? ns, string name) => $"{ns}/{name}";

    private static string? Uid(JsonObject obj) => obj["metadata"]?["uid"]?.GetValue<string>();

    private static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            obj["metadata"] = metadata = new JsonObject();
        }

        return metadata;
    }

    private static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();
}
