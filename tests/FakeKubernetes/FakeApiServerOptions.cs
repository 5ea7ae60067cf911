namespace ControlPlane.FakeKubernetes;

public sealed class FakeApiServerOptions
{
    /// <summary>How often open watches that asked for bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a deleted namespace stays Terminating before the namespace controller removes its
    /// contents and then it; <see cref="Timeout.InfiniteTimeSpan"/> keeps it Terminating, as on a
    /// cluster without a controller-manager.
    /// </summary>
    public TimeSpan NamespaceTerminationDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long after an owner's deletion the garbage collector deletes (or orphans) its dependents.</summary>
    public TimeSpan GarbageCollectionDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    private readonly Dictionary<string, int> _failReads = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> lists or watches of <paramref name="plural"/> fail with 500, to exercise backoff.</summary>
    public void FailReads(string plural, int count)
    {
        lock (_failReads)
        {
            _failReads[plural] = count;
        }
    }

    internal bool ShouldFailRead(string plural)
    {
        lock (_failReads)
        {
            if (_failReads.TryGetValue(plural, out var left) && left > 0)
            {
                _failReads[plural] = left - 1;
                return true;
            }

            return false;
        }
    }
}
