using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// The resource versions a delta proxy holds, as a shared resource set plus this proxy's
/// differences from it. After a response that leaves the proxy holding exactly a view's set, the
/// set itself is the record (<see cref="Rebase"/>): thousands of proxies then share it instead of
/// each keeping a name-to-version map.
/// </summary>
internal sealed class HeldVersions
{
    private ResourceSet _base = ResourceSet.Empty;

    /// <summary>Versions that differ from the base; null marks a base resource the proxy does not hold.</summary>
    private Dictionary<string, string?>? _changes;

    /// <summary>The set the proxy holds exactly, or null when it holds something else.</summary>
    public ResourceSet? Exactly => _changes is null || _changes.Count == 0 ? _base : null;

    public bool TryGet(string name, out string version)
    {
        if (_changes is not null && _changes.TryGetValue(name, out var changed))
        {
            version = changed ?? string.Empty;
            return changed is not null;
        }

        if (_base.Find(name) is { } resource)
        {
            version = resource.Version;
            return true;
        }

        version = string.Empty;
        return false;
    }

    public void Set(string name, string version)
    {
        if (_base.Find(name)?.Version == version)
        {
            _changes?.Remove(name);
        }
        else
        {
            (_changes ??= new(StringComparer.Ordinal))[name] = version;
        }
    }

    public void Remove(string name)
    {
        if (_base.Find(name) is not null)
        {
            (_changes ??= new(StringComparer.Ordinal))[name] = null;
        }
        else
        {
            _changes?.Remove(name);
        }
    }

    /// <summary>Every name the proxy holds.</summary>
    public IEnumerable<string> Names
    {
        get
        {
            foreach (var name in _base.Resources.Keys)
            {
                if (_changes is null || !_changes.ContainsKey(name))
                {
                    yield return name;
                }
            }

            foreach (var (name, version) in _changes ?? [])
            {
                if (version is not null)
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>Records that the proxy now holds exactly <paramref name="set"/>.</summary>
    public void Rebase(ResourceSet set)
    {
        _base = set;
        _changes = null;
    }
}
