using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Hands out one <see cref="ResourceSet"/> per distinct content: proxy views that differ in ways a
/// resource type does not depend on (the namespace, for clusters without namespace-scoped rules;
/// everything but the data plane, for endpoints) build equal lists of the very same resource
/// objects, and then share one set, and with it one serialized response per push, instead of one
/// per view. Sets are held weakly.
/// </summary>
public sealed class ResourceSetInterner
{
    private readonly ConcurrentDictionary<(int Count, ulong Hash), WeakReference<ResourceSet>> _sets = new();
    private int _sweepAt = 1024;

    /// <summary>A set of exactly these resources (by identity), shared with any other holding them.</summary>
    public ResourceSet Intern(IReadOnlyCollection<XdsResource> resources)
    {
        ulong hash = 0;
        foreach (var resource in resources)
        {
            // Order-independent, over identities: equal content is the same objects, in any order.
            hash += Mix((ulong)RuntimeHelpers.GetHashCode(resource) ^ ((ulong)(uint)resource.Name.GetHashCode() << 32));
        }

        var key = (resources.Count, hash);
        if (_sets.TryGetValue(key, out var held) && held.TryGetTarget(out var existing) && Holds(existing, resources))
        {
            return existing;
        }

        var set = new ResourceSet(resources);
        _sets[key] = new WeakReference<ResourceSet>(set);
        SweepIfGrown();
        return set;
    }

    private static bool Holds(ResourceSet set, IReadOnlyCollection<XdsResource> resources)
    {
        if (set.Resources.Count != resources.Count)
        {
            return false;
        }

        foreach (var resource in resources)
        {
            if (!ReferenceEquals(set.Find(resource.Name), resource))
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return h;
    }

    private void SweepIfGrown()
    {
        if (_sets.Count < Volatile.Read(ref _sweepAt))
        {
            return;
        }

        foreach (var (key, reference) in _sets)
        {
            if (!reference.TryGetTarget(out _))
            {
                _sets.TryRemove(key, out _);
            }
        }

        Volatile.Write(ref _sweepAt, Math.Max(1024, _sets.Count * 2));
    }
}
