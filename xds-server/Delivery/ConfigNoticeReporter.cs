using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.ObjectStatus;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// Says what a proxy was sent but will not do (<see cref="ConfigNotice"/>s of its config) when its
/// clusters are sent: keeps them on the connection for /debug/syncz, logs one warning per object per
/// proxy (again when the object's clusters change), and tells the InterfaceOutlierDetection status
/// tracker that a MOSN proxy received that object's clusters.
/// </summary>
public sealed class ConfigNoticeReporter
{
    /// <summary>Cluster names one warning lists at most.</summary>
    public const int MaxClustersLogged = 5;

    private readonly InterfaceOutlierStatusTracker _tracker;
    private readonly ILogger<ConfigNoticeReporter> _logger;

    public ConfigNoticeReporter(InterfaceOutlierStatusTracker tracker, ILogger<ConfigNoticeReporter> logger)
    {
        _tracker = tracker;
        _logger = logger;
    }

    /// <summary>The connection's proxy was just sent clusters from a config with these notices.</summary>
    public void ClustersSent(ProxyConnection connection, ImmutableArray<ConfigNotice> notices)
    {
        connection.Notices = notices;
        var proxy = connection.Node?.Id ?? connection.Id;
        foreach (var group in notices.GroupBy(n => n.Object))
        {
            var clusters = group.Select(n => n.Cluster).ToList();
            if (group.Key.Kind == MeshInterfaceOutlierDetection.KindName)
            {
                _tracker.MosnReceived(group.Key.Key, proxy, clusters[0]);
            }

            if (!connection.MarkNoticeLogged(group.Key, clusters))
            {
                continue;
            }

            _logger.LogWarning(
                "{Kind} {Namespace}/{Name}: proxy {ProxyId} received {ClusterCount} cluster(s) it will not apply as configured ({Clusters}): {Reason}",
                group.Key.Kind, group.Key.Key.Namespace, group.Key.Key.Name, proxy, clusters.Count,
                string.Join(", ", clusters.Take(MaxClustersLogged)) + (clusters.Count > MaxClustersLogged ? $" and {clusters.Count - MaxClustersLogged} more" : string.Empty),
                group.First().Message);
        }
    }
}
