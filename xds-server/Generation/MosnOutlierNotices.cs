using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;
using Envoy.Config.Cluster.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// MOSN's istio-1.10 converter ignores a cluster's outlier_detection (it reads only health check
/// thresholds): for a MOSN sidecar, every cluster that carries one is a <see cref="ConfigNotice"/>
/// naming the object it came from, an InterfaceOutlierDetection for interface clusters, else the
/// DestinationRule in effect for the proxy.
/// </summary>
public static class MosnOutlierNotices
{
    public static ImmutableArray<ConfigNotice> For(MeshSnapshot mesh, ProxyView view, ResourceSet clusters, string clusterDomain)
    {
        if (view.Flavor != ProxyFlavor.Mosn || view.Kind != ProxyKind.Sidecar)
        {
            return ImmutableArray<ConfigNotice>.Empty;
        }

        var notices = ImmutableArray.CreateBuilder<ConfigNotice>();
        foreach (var resource in clusters.Resources.Values)
        {
            if (!resource.Body.Is(Cluster.Descriptor) || resource.Body.Unpack<Cluster>().OutlierDetection is null || ClusterNames.ParseOutbound(resource.Name) is not { } parsed)
            {
                continue;
            }

            if (parsed.Interface is not null)
            {
                if (InterfaceOutlierIndex.Of(mesh, clusterDomain).For(parsed.Host, parsed.Port) is { } policy)
                {
                    notices.Add(new ConfigNotice(
                        new ConfigKey(MeshInterfaceOutlierDetection.KindName, policy.Source.Key),
                        resource.Name,
                        "MOSN ignores outlier_detection (its istio-1.10 converter reads only health check thresholds): no endpoint is ejected for this interface; its requests are still routed to this cluster, balanced over every endpoint"));
                }

                continue;
            }

            var service = ServiceIndex.Of(mesh, clusterDomain).Find(parsed.Host, view.Namespace);
            if (DestinationRuleIndex.Of(mesh, clusterDomain).For(view.Namespace, parsed.Host, service?.Namespace) is { } rule)
            {
                notices.Add(new ConfigNotice(
                    new ConfigKey(MeshDestinationRule.KindName, rule.Source.Key),
                    resource.Name,
                    "MOSN ignores outlier_detection (its istio-1.10 converter reads only health check thresholds): failing endpoints of this cluster are never ejected"));
            }
        }

        return notices.ToImmutable();
    }
}
