namespace ControlPlane.XdsServer.Generation;

/// <summary>Counts of generation work, to see (and test) that shared views are generated once.</summary>
public sealed class GenerationStats
{
    private long _views;
    private long _resources;
    private long _virtualHosts;
    private long _sidecarOutbounds;
    private long _endpointSets;
    private long _portAssemblies;

    /// <summary>How many times a proxy view's config was generated.</summary>
    public long ViewsGenerated => Interlocked.Read(ref _views);

    /// <summary>How many Envoy resources were built and serialized (memoized ones are not counted again).</summary>
    public long ResourcesBuilt => Interlocked.Read(ref _resources);

    /// <summary>
    /// How many outbound HTTP virtual hosts were built (memoized ones are not counted again): a
    /// change to one VirtualService rebuilds only those of its hosts.
    /// </summary>
    public long VirtualHostsBuilt => Interlocked.Read(ref _virtualHosts);

    /// <summary>
    /// How many times a sidecar's outbound clusters, endpoints, listeners and routes were generated:
    /// once per snapshot for all views that differ only in their inbound ports.
    /// </summary>
    public long SidecarOutboundsGenerated => Interlocked.Read(ref _sidecarOutbounds);

    /// <summary>
    /// How many times a view's endpoints (all its ClusterLoadAssignments) were assembled: once per
    /// snapshot for all views with the same service scope, data plane, locality and EDS clusters.
    /// </summary>
    public long EndpointSetsGenerated => Interlocked.Read(ref _endpointSets);

    /// <summary>
    /// How many times a port's outbound virtual hosts were assembled for a scope (domains worked
    /// out, taken ones dropped, sorted): a change that leaves the port's services, VirtualServices
    /// and routes as they were assembles nothing.
    /// </summary>
    public long PortVirtualHostsAssembled => Interlocked.Read(ref _portAssemblies);

    internal void CountPortAssembly() => Interlocked.Increment(ref _portAssemblies);

    internal void CountEndpointSet() => Interlocked.Increment(ref _endpointSets);

    internal void CountSidecarOutbound() => Interlocked.Increment(ref _sidecarOutbounds);

    internal void CountView() => Interlocked.Increment(ref _views);

    internal void CountResources(int count) => Interlocked.Add(ref _resources, count);

    internal void CountVirtualHost() => Interlocked.Increment(ref _virtualHosts);
}
