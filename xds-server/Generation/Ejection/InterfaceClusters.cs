using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ControlPlane.Mesh.Model.Ejection;
using ControlPlane.XdsServer.Generation.Indexes;
using ControlPlane.XdsServer.Generation.Traffic;
using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Generation.Ejection;

/// <summary>
/// A service's outbound clusters with the interface clusters of its InterfaceOutlierDetection: after
/// each cluster of a host and port with a policy (that applies to the cluster's subset), one copy per
/// interface named <see cref="ClusterNames.Interface"/>, the same in every way (type, load balancer,
/// connection pool, TLS, metadata) but its outlier detection: the interface's, translated as istiod
/// 1.10 translates a DestinationRule's (<see cref="OutlierDetectionTranslation"/>, an unset algorithm
/// off) plus Envoy's failure-percentage fields. An EDS copy reads an assignment of its own name, with
/// the same endpoints (its <see cref="EdsTarget"/> is the original's, renamed): MOSN asks EDS for
/// cluster names, whatever service_name says. Memoized by the clusters' and policies' identity; an
/// interface cluster whose outlier settings did not change keeps its instance when its policy changes
/// (a new match, another interface), so such an edit changes routes only.
/// </summary>
internal static class InterfaceClusters
{
    private static readonly ConditionalWeakTable<ServiceClusters, Entry> Memo = new();

    /// <summary><paramref name="clusters"/> with the interface clusters <paramref name="index"/> asks for; the very instance when none.</summary>
    /// <param name="clusters">A service's clusters as built for <paramref name="kind"/> (a ServiceClusters instance is built for one kind only).</param>
    /// <param name="index">The mesh's InterfaceOutlierDetections in effect.</param>
    /// <param name="kind">The proxy kind: proxyless gRPC clients get consecutive errors as failure percentage (see <see cref="Build"/>).</param>
    public static ServiceClusters With(ServiceClusters clusters, InterfaceOutlierIndex index, ProxyKind kind)
    {
        if (index.Hosts.IsEmpty)
        {
            return clusters;
        }

        var policies = clusters.Clusters.Select(c => InterfaceRoutes.PolicyOf(c.Name, index)).ToImmutableArray();
        if (policies.All(p => p is null))
        {
            return clusters;
        }

        var found = Memo.TryGetValue(clusters, out var cached);
        if (found && cached!.Policies.AsSpan().SequenceEqual(policies.AsSpan()))
        {
            return cached.Result;
        }

        var earlier = found ? cached!.Built : ImmutableDictionary<string, BuiltInterface>.Empty;
        var built = ImmutableDictionary.CreateBuilder<string, BuiltInterface>(StringComparer.Ordinal);

        var output = ImmutableArray.CreateBuilder<XdsResource>();
        var targets = clusters.EdsTargets.ToList();
        for (var i = 0; i < clusters.Clusters.Length; i++)
        {
            var resource = clusters.Clusters[i];
            output.Add(resource);
            if (policies[i] is not { } policy)
            {
                continue;
            }

            var target = clusters.EdsTargets.FirstOrDefault(t => t.ClusterName == resource.Name);
            foreach (var iface in policy.Interfaces)
            {
                var name = ClusterNames.Interface(resource.Name, iface.Name);
                var copy = earlier.TryGetValue(name, out var before) && before.Settings == iface.OutlierDetection
                    ? before
                    : new BuiltInterface(iface.OutlierDetection, XdsResource.Create(name, Build(resource.Body.Unpack<Cluster>(), name, iface.OutlierDetection, kind == ProxyKind.Grpc)));
                built[name] = copy;
                output.Add(copy.Resource);
                if (target is not null)
                {
                    targets.Add(target with { ClusterName = name });
                }
            }
        }

        var result = new ServiceClusters(output.ToImmutable(), [.. targets]);
        Memo.AddOrUpdate(clusters, new Entry(policies, result, built.ToImmutable()));
        return result;
    }

    /// <summary>The interface's copy of <paramref name="cluster"/>, named <paramref name="name"/>.</summary>
    /// <param name="grpc">
    /// For a proxyless gRPC client, which runs only gRFC A50's algorithms: without <c>failurePercentage</c>,
    /// the consecutive-error settings become their failure-percentage equivalent, as for a
    /// DestinationRule's (<see cref="Grpc.GrpcClusterAdaptation.AddFailurePercentage"/>); with it, it alone counts.
    /// </param>
    public static Cluster Build(Cluster cluster, string name, InterfaceOutlierSettings settings, bool grpc = false)
    {
        var copy = cluster.Clone();
        copy.Name = name;
        if (copy.EdsClusterConfig is { } eds)
        {
            eds.ServiceName = name;
        }

        copy.OutlierDetection = null;
        OutlierDetectionTranslation.Apply(copy, settings.ToIstio());
        if (settings.FailurePercentage is { } failure)
        {
            var outlier = copy.OutlierDetection!;
            outlier.EnforcingFailurePercentage = failure.EnforcingFailurePercentage;
            if (failure.Threshold is { } threshold)
            {
                outlier.FailurePercentageThreshold = threshold;
            }

            if (failure.MinimumHosts is { } minimumHosts)
            {
                outlier.FailurePercentageMinimumHosts = minimumHosts;
            }

            if (failure.RequestVolume is { } requestVolume)
            {
                outlier.FailurePercentageRequestVolume = requestVolume;
            }
        }
        else if (grpc && copy.OutlierDetection is { } consecutive)
        {
            Grpc.GrpcClusterAdaptation.AddFailurePercentage(consecutive);
        }

        return copy;
    }

    private sealed record Entry(ImmutableArray<InterfacePolicy?> Policies, ServiceClusters Result, ImmutableDictionary<string, BuiltInterface> Built);

    /// <summary>An interface cluster and the settings it was built with (value equality).</summary>
    private sealed record BuiltInterface(InterfaceOutlierSettings Settings, XdsResource Resource);
}
