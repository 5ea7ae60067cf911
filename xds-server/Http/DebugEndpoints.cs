using ControlPlane.EnvoyApi;
using ControlPlane.XdsServer.Delivery;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Sources;
using Envoy.Admin.V3;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ControlPlane.XdsServer.Http;

/// <summary>/healthz/ready, /debug/syncz and /debug/config_dump, in the shapes istiod serves them, /debug/sources and POST /debug/gc.</summary>
public static class DebugEndpoints
{
    /// <summary>Notices /debug/syncz lists per proxy at most (noticeCount says how many there are).</summary>
    public const int MaxNoticesListed = 20;

    public static void MapXdsDebugEndpoints(this WebApplication app)
    {
        // Ready once the sources have synced and their config is published; it stays ready while a
        // source fails later (its last good objects stay served): see ServingReadiness.
        app.MapGet("/healthz/ready", (ServingReadiness readiness) =>
            readiness.Check() is { } waiting
                ? Results.Text($"not ready: {waiting}", statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ready"));

        app.MapGet("/debug/sources", (IEnumerable<ISourceReadiness> sources) => Results.Json(sources.Select(s => new
        {
            name = s.Name,
            synced = s.IsSynced,
            healthy = s.Status.Failure is null,
            failure = s.Status.Failure,
            failingSince = s.Status.FailingSince,
            lastReadAt = s.Status.LastReadAt,
        })));

        // What the server really holds: memory after a full, blocking, compacting collection, so that
        // leak checks (the chaos tests) compare live data rather than garbage. It stops the process
        // for the collection, hence POST, on the monitoring port only.
        app.MapPost("/debug/gc", () =>
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return Results.Json(new
            {
                heapBytes = GC.GetTotalMemory(forceFullCollection: false),
                committedBytes = GC.GetGCMemoryInfo().TotalCommittedBytes,
                workingSetBytes = Environment.WorkingSet,
            });
        });

        app.MapGet("/debug/syncz", (ConnectionRegistry registry) => Results.Json(registry.All.Select(Syncz)));

        app.MapGet("/debug/config_dump", (string? proxyID, ConnectionRegistry registry, XdsCache cache) =>
        {
            if (string.IsNullOrEmpty(proxyID))
            {
                return Results.BadRequest("proxyID is required, e.g. /debug/config_dump?proxyID=pod.namespace");
            }

            var connection = registry.All.FirstOrDefault(c => c.Node?.Matches(proxyID) == true);
            if (connection?.Node is null)
            {
                return Results.NotFound($"no connected proxy {proxyID}");
            }

            var state = cache.Current;
            var dump = ConfigDump(state.ConfigFor(state.ViewOf(connection.Node)), state.Mesh.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Results.Text(EnvoyTypeRegistry.IndentedFormatter.Format(dump), "application/json");
        });
    }

    private static object Syncz(ProxyConnection connection) => new
    {
        proxy = connection.Node?.Id,
        connectionId = connection.Id,
        flavor = connection.Flavor,
        peer = connection.Peer,
        connectedAt = connection.ConnectedAt,
        istioVersion = connection.Node?.IstioVersion,
        noticeCount = connection.Notices.Length,
        notices = connection.Notices.Take(MaxNoticesListed).Select(n => new
        {
            kind = n.Object.Kind,
            @namespace = n.Object.Key.Namespace,
            name = n.Object.Key.Name,
            cluster = n.Cluster,
            message = n.Message,
        }),
        types = connection.Statuses().Select(s => new
        {
            type = TypeUrls.ShortName(s.TypeUrl),
            typeUrl = s.TypeUrl,
            sentVersion = s.SentVersion,
            sentNonce = s.SentNonce,
            sentAt = s.SentAt,
            sentResources = s.SentResources,
            ackedVersion = s.AckedVersion,
            ackedNonce = s.AckedNonce,
            ackedAt = s.AckedAt,
            synced = s.SentNonce is not null && s.SentNonce == s.AckedNonce,
            lastNack = s.LastNack is null ? null : new
            {
                version = s.LastNack.RejectedVersion,
                nonce = s.LastNack.Nonce,
                message = s.LastNack.Message,
                at = s.LastNack.At,
            },
        }),
    };

    /// <summary>The proxy's generated config as Envoy's admin /config_dump would show it.</summary>
    private static ConfigDump ConfigDump(ProxyConfig config, string version)
    {
        var clusters = new ClustersConfigDump { VersionInfo = version };
        foreach (var resource in config.Clusters.Resources.Values)
        {
            clusters.DynamicActiveClusters.Add(new ClustersConfigDump.Types.DynamicCluster { VersionInfo = resource.Version, Cluster = resource.Body });
        }

        var listeners = new ListenersConfigDump { VersionInfo = version };
        foreach (var resource in config.Listeners.Resources.Values)
        {
            listeners.DynamicListeners.Add(new ListenersConfigDump.Types.DynamicListener
            {
                Name = resource.Name,
                ActiveState = new ListenersConfigDump.Types.DynamicListenerState { VersionInfo = resource.Version, Listener = resource.Body },
            });
        }

        var routes = new RoutesConfigDump();
        foreach (var resource in config.Routes.Resources.Values)
        {
            routes.DynamicRouteConfigs.Add(new RoutesConfigDump.Types.DynamicRouteConfig { VersionInfo = resource.Version, RouteConfig = resource.Body });
        }

        var endpoints = new EndpointsConfigDump();
        foreach (var resource in config.Endpoints.Resources.Values)
        {
            endpoints.DynamicEndpointConfigs.Add(new EndpointsConfigDump.Types.DynamicEndpointConfig { VersionInfo = resource.Version, EndpointConfig = resource.Body });
        }

        return new ConfigDump { Configs = { Any.Pack(clusters), Any.Pack(listeners), Any.Pack(routes), Any.Pack(endpoints) } };
    }
}
