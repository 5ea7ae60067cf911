namespace ControlPlane.XdsServer.Generation;

/// <summary>Counts of generation work, to see (and test) that shared views are generated once.</summary>
public sealed class GenerationStats
{
    private long _views;
    private long _resources;

    /// <summary>How many times a proxy view's config was generated.</summary>
    public long ViewsGenerated => Interlocked.Read(ref _views);

    /// <summary>How many Envoy resources were built and serialized (memoized ones are not counted again).</summary>
    public long ResourcesBuilt => Interlocked.Read(ref _resources);

    internal void CountView() => Interlocked.Increment(ref _views);

    internal void CountResources(int count) => Interlocked.Add(ref _resources, count);
}
