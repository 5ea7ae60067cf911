using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Cluster.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// A service's outbound clusters under its effective DestinationRule, as istiod 1.10's
/// buildOutboundClusters and applyDestinationRule make them: per port, the default cluster
/// <c>outbound|PORT||HOST</c> with the rule's traffic policy (port-level settings merged in), then
/// one cluster <c>outbound|PORT|SUBSET|HOST</c> per subset with the subset's policy merged over the
/// rule's (see <see cref="TrafficPolicyMerge"/>).
/// </summary>
internal static class DestinationRuleClusters
{
    /// <param name="kind">
    /// Sidecar, router or proxyless gRPC; gRPC clusters stay EDS (a PASSTHROUGH load balancer does
    /// not make them ORIGINAL_DST) and are reshaped for the client (see <see cref="Grpc.GrpcClusterAdaptation"/>).
    /// </param>
    /// <param name="rule">The rule the proxy's namespace sees for the service's host; null for none.</param>
    /// <param name="proxyLocality">The proxy's locality for STRICT_DNS clusters' own endpoints; null when it cannot matter.</param>
    /// <param name="endpoints">The service's endpoints, which STRICT_DNS clusters carry (subset clusters those with the subset's labels).</param>
    public static ServiceClusters Build(HostService service, ProxyKind kind, bool edsForHeadless, EffectiveDestinationRule? rule, LocalityLabel? proxyLocality, HostEndpoints endpoints)
    {
        var clusters = ImmutableArray.CreateBuilder<XdsResource>();
        var targets = ImmutableArray.CreateBuilder<EdsTarget>();
        void Add(ClusterDraft draft, ValueMap<string>? subsetLabels, EdsLocalityPolicy? locality, MeshServicePort port)
        {
            if (kind == ProxyKind.Grpc)
            {
                Grpc.GrpcClusterAdaptation.Apply(draft.Cluster);
            }

            ClusterBuilder.ApplyEdsConfig(draft.Cluster);
            var cluster = draft.Build();
            clusters.Add(XdsResource.Create(cluster.Name, cluster));
            if (cluster.Type == Cluster.Types.DiscoveryType.Eds)
            {
                targets.Add(new EdsTarget(service, port, cluster.Name, subsetLabels, kind == ProxyKind.Grpc ? null : locality));
            }
        }

        foreach (var port in service.Ports)
        {
            if (port.Protocol == MeshProtocol.Udp)
            {
                continue;
            }

            var name = MeshNames.OutboundCluster(port.Port, service.Hostname);
            var draft = ClusterBuilder.OutboundDraft(name, service, port, kind, ClusterBuilder.DiscoveryType(service, kind, edsForHeadless), subsetLabels: null, endpoints);
            if (draft is null)
            {
                continue;
            }

            if (rule is null)
            {
                Add(draft, null, null, port);
                continue;
            }

            var spec = rule.Spec;
            Apply(draft, TrafficPolicyMerge.ForCluster(spec.TrafficPolicy, null, port.Port), kind, proxyLocality, TlsSni(port, "", service));
            AddConfigMetadata(draft.Cluster, rule.Source, subset: null);
            var defaultType = draft.Cluster.Type;
            Add(draft, null, EdsLocalityPolicy.For(TrafficPolicyMerge.ForEndpoints(spec.TrafficPolicy, null, port.Port)), port);

            foreach (var subset in spec.Subsets)
            {
                var type = subset.TrafficPolicy?.LoadBalancer?.Simple == SimpleLb.Passthrough && kind != ProxyKind.Grpc ? Cluster.Types.DiscoveryType.OriginalDst : defaultType;
                var subsetDraft = ClusterBuilder.OutboundDraft(MeshNames.OutboundSubsetCluster(port.Port, subset.Name, service.Hostname), service, port, kind, type, subset.Labels, endpoints);
                if (subsetDraft is null)
                {
                    continue;
                }

                Apply(subsetDraft, TrafficPolicyMerge.ForCluster(spec.TrafficPolicy, subset, port.Port), kind, proxyLocality, TlsSni(port, subset.Name, service));
                AddConfigMetadata(subsetDraft.Cluster, rule.Source, subset.Name);
                Add(subsetDraft, subset.Labels, EdsLocalityPolicy.For(TrafficPolicyMerge.ForEndpoints(spec.TrafficPolicy, subset, port.Port)), port);
            }
        }

        return new ServiceClusters(clusters.ToImmutable(), targets.ToImmutable());
    }

    /// <summary>istiod's applyTrafficPolicy for an outbound cluster, in its order.</summary>
    private static void Apply(ClusterDraft draft, ClusterPolicy policy, ProxyKind kind, LocalityLabel? proxyLocality, string istioMutualSni)
    {
        ConnectionPoolTranslation.Apply(draft, policy.ConnectionPool);
        ConnectionPoolTranslation.ApplyH2Upgrade(draft, policy.ConnectionPool);
        OutlierDetectionTranslation.Apply(draft.Cluster, policy.OutlierDetection);
        LoadBalancerTranslation.Apply(draft.Cluster, policy.LoadBalancer, proxyLocality);
        if (draft.Cluster.Type == Cluster.Types.DiscoveryType.OriginalDst)
        {
            draft.Cluster.LbPolicy = Cluster.Types.LbPolicy.ClusterProvided;
        }

        UpstreamTlsTranslation.Apply(draft, policy.Tls, istioMutualSni, kind);
    }

    private static string TlsSni(MeshServicePort port, string subset, HostService service) =>
        UpstreamTlsTranslation.IstioMutualSni(port.Port, subset, service.Hostname);

    /// <summary>
    /// Names the rule in the cluster's Istio metadata (istiod's AddConfigInfoMetadata:
    /// <c>/apis/networking.istio.io/v1alpha3/namespaces/NS/destination-rule/NAME</c>, the oldest
    /// of merged rules), and a subset cluster's subset (AddSubsetToMetadata), for telemetry and tools.
    /// </summary>
    private static void AddConfigMetadata(Cluster cluster, MeshDestinationRule source, string? subset)
    {
        var istio = cluster.Metadata.FilterMetadata["istio"];
        istio.Fields["config"] = Value.ForString($"/apis/networking.istio.io/v1alpha3/namespaces/{source.Key.Namespace}/destination-rule/{source.Key.Name}");
        if (subset is not null)
        {
            istio.Fields["subset"] = Value.ForString(subset);
        }
    }
}
