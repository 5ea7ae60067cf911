using System.Collections.Immutable;
using ControlPlane.XdsServer.Generation.Traffic;

namespace ControlPlane.XdsServer.Generation;

/// <summary>Everything generated for one proxy view from one mesh snapshot. Shared by all proxies with that view.</summary>
public sealed class ProxyConfig
{
    public ProxyConfig(long meshVersion, ResourceSet clusters, ResourceSet endpoints, ResourceSet listeners, ResourceSet routes)
    {
        MeshVersion = meshVersion;
        Clusters = clusters;
        Endpoints = endpoints;
        Listeners = listeners;
        Routes = routes;
    }

    public long MeshVersion { get; }

    public ResourceSet Clusters { get; }

    public ResourceSet Endpoints { get; }

    public ResourceSet Listeners { get; }

    public ResourceSet Routes { get; }

    /// <summary>What this view's proxies receive but will not do as configured (see <see cref="ConfigNotice"/>); none by default.</summary>
    public ImmutableArray<ConfigNotice> Notices { get; init; } = ImmutableArray<ConfigNotice>.Empty;

    /// <summary>
    /// What <see cref="Endpoints"/> was made of (one entry per EDS cluster), so that after an
    /// endpoint-only change the endpoints are rebuilt without looking at clusters or
    /// DestinationRules again.
    /// </summary>
    internal ImmutableArray<EdsTarget> EndpointTargets { get; init; } = ImmutableArray<EdsTarget>.Empty;

    public ResourceSet Of(string typeUrl) => typeUrl switch
    {
        TypeUrls.Cluster => Clusters,
        TypeUrls.Endpoint => Endpoints,
        TypeUrls.Listener => Listeners,
        TypeUrls.Route => Routes,
        _ => ResourceSet.Empty,
    };
}
