using System.Collections.Concurrent;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>
/// An ADS client that behaves as MOSN's istio-1.10 branch does (pkg/xds/v3 and its converter), since
/// MOSN itself cannot run here:
/// - it never NACKs; every response is handled on its own task, so handlers race each other;
/// - after a CDS response it asks for EDS with the names and nonce of its previous EDS ACK (its
///   cluster names only when it never ACKed EDS), and re-sends its CDS request every
///   <see cref="RefreshDelay"/> (10 s in MOSN) with the last CDS version and nonce;
/// - the version, nonce and names it keeps per type survive a reconnect;
/// - clusters and listeners are added or updated, never removed by omission;
/// - endpoints of a cluster it has not created yet are dropped; for each ClusterLoadAssignment it
///   replaces the cluster's hosts once per locality, so only the last locality's hosts stay;
/// - it binds every listener unless <c>deprecated_v1.bind_to_port</c> is false, and dies when an
///   address is not local or a port is taken (<see cref="CrashReason"/>).
/// </summary>
public sealed class MosnClient : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Node _node;
    private readonly Dictionary<string, (string Version, string Nonce, string[] Names)> _lastAck = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly HashSet<string> _routeNames = new(StringComparer.Ordinal);
    private string[] _clusterNames = [];
    private CancellationTokenSource _stream = new();
    private AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse>? _call;
    private Task _loops = Task.CompletedTask;

    public MosnClient(GrpcChannel channel, Node node)
    {
        _channel = channel;
        _node = node;
    }

    /// <summary>How often the CDS request is re-sent (MOSN: 10 s).</summary>
    public TimeSpan RefreshDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long converting a CDS response takes before the clusters exist (models the goroutine race).</summary>
    public TimeSpan ClusterApplyDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Addresses this pod may bind: its own IPs (0.0.0.0 and :: always).</summary>
    public IReadOnlySet<string> LocalAddresses { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Ports the application already holds on the pod.</summary>
    public IReadOnlySet<int> AppPorts { get; init; } = new HashSet<int>();

    public ConcurrentDictionary<string, Cluster> Clusters { get; } = new(StringComparer.Ordinal);

    /// <summary>Hosts per cluster, "address:port", as MOSN holds them after its endpoint conversion.</summary>
    public ConcurrentDictionary<string, IReadOnlyList<string>> Hosts { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Listener> Listeners { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RouteConfiguration> Routes { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoints that arrived for clusters not created yet, and were lost.</summary>
    public ConcurrentQueue<string> DroppedEndpoints { get; } = new();

    /// <summary>Responses received, per type URL.</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>Why this MOSN exited, if it did.</summary>
    public string? CrashReason { get; private set; }

    /// <summary>Opens a stream and sends the CDS request, as MOSN's send goroutine does first.</summary>
    public async Task StartAsync()
    {
        _stream = new CancellationTokenSource();
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel).StreamAggregatedResources(cancellationToken: _stream.Token);
        await RequestAsync(TypeUrls.Cluster, null);
        _loops = Task.WhenAll(ReceiveAsync(_call, _stream.Token), RefreshAsync(_stream.Token));
    }

    /// <summary>Drops the stream and opens a new one, keeping versions, nonces and names.</summary>
    public async Task ReconnectAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        await _stream.CancelAsync();
        _call?.Dispose();
        try
        {
            await _loops;
        }
        catch (Exception)
        {
            // The loops end with the stream.
        }

        await Task.WhenAll(_handlers.ToArray()).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ReceiveAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, CancellationToken cancellation)
    {
        try
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellation))
            {
                Received.AddOrUpdate(response.TypeUrl, 1, (_, n) => n + 1);

                // MOSN: "go HandleTypeURL(typeURL, adsClient, resp)".
                _handlers.Add(Task.Run(() => HandleAsync(response), CancellationToken.None));
            }
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
        }
        catch (RpcException)
        {
            // The server went away; a test reconnects explicitly.
        }
    }

    private async Task RefreshAsync(CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(RefreshDelay);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
            {
                await RequestAsync(TypeUrls.Cluster, null);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HandleAsync(DiscoveryResponse response)
    {
        switch (response.TypeUrl)
        {
            case TypeUrls.Cluster:
                var clusters = response.Resources.Select(r => r.Unpack<Cluster>()).ToList();
                await Task.Delay(ClusterApplyDelay);
                foreach (var cluster in clusters)
                {
                    Clusters[cluster.Name] = cluster;
                }

                await AckAsync(response, []);
                var edsClusters = clusters.Where(c => c.Type == Cluster.Types.DiscoveryType.Eds).Select(c => c.Name).ToArray();
                lock (_gate)
                {
                    _clusterNames = edsClusters;
                }

                if (edsClusters.Length > 0)
                {
                    await RequestAsync(TypeUrls.Endpoint, edsClusters);
                }

                break;

            case TypeUrls.Endpoint:
                foreach (var assignment in response.Resources.Select(r => r.Unpack<ClusterLoadAssignment>()))
                {
                    if (!Clusters.ContainsKey(assignment.ClusterName))
                    {
                        DroppedEndpoints.Enqueue(assignment.ClusterName);
                        continue;
                    }

                    foreach (var locality in assignment.Endpoints)
                    {
                        Hosts[assignment.ClusterName] = locality.LbEndpoints
                            .Select(e => $"{e.Endpoint.Address.SocketAddress.Address}:{e.Endpoint.Address.SocketAddress.PortValue}")
                            .ToList();
                    }
                }

                string[] names;
                lock (_gate)
                {
                    names = _clusterNames;
                }

                await AckAsync(response, names);
                await RequestAsync(TypeUrls.Listener, null);
                break;

            case TypeUrls.Listener:
                foreach (var listener in response.Resources.Select(r => r.Unpack<Listener>()))
                {
                    Bind(listener);
                    Listeners[listener.Name] = listener;
                    foreach (var route in RouteNamesOf(listener))
                    {
                        lock (_gate)
                        {
                            _routeNames.Add(route);
                        }
                    }
                }

                await AckAsync(response, []);
                string[] routeNames;
                lock (_gate)
                {
                    routeNames = _routeNames.ToArray();
                }

                if (routeNames.Length > 0)
                {
                    await RequestAsync(TypeUrls.Route, routeNames);
                }

                break;

            case TypeUrls.Route:
                var routes = response.Resources.Select(r => r.Unpack<RouteConfiguration>()).ToList();
                foreach (var route in routes)
                {
                    Routes[route.Name] = route;
                }

                await AckAsync(response, routes.Select(r => r.Name).ToArray());
                break;
        }
    }

    private void Bind(Listener listener)
    {
        // MOSN's converter reads only the deprecated field; Listener.bind_to_port means nothing to it.
#pragma warning disable CS0612
        var bind = listener.DeprecatedV1?.BindToPort ?? true;
#pragma warning restore CS0612
        if (!bind || listener.Address?.SocketAddress is not { } address)
        {
            return;
        }

        if (address.Address is not ("0.0.0.0" or "::") && !LocalAddresses.Contains(address.Address))
        {
            CrashReason ??= $"listener {listener.Name}: listen tcp {address.Address}:{address.PortValue}: bind: cannot assign requested address";
        }
        else if (AppPorts.Contains((int)address.PortValue))
        {
            CrashReason ??= $"listener {listener.Name}: listen tcp {address.Address}:{address.PortValue}: bind: address already in use";
        }
    }

    private static IEnumerable<string> RouteNamesOf(Listener listener) =>
        listener.FilterChains.SelectMany(c => c.Filters)
            .Where(f => f.TypedConfig?.Is(HttpConnectionManager.Descriptor) == true)
            .Select(f => f.TypedConfig.Unpack<HttpConnectionManager>())
            .Where(m => m.Rds is not null)
            .Select(m => m.Rds.RouteConfigName);

    /// <summary>MOSN's AckResponse: remembers version, nonce and names of the type, then sends them.</summary>
    private Task AckAsync(DiscoveryResponse response, string[] names)
    {
        lock (_gate)
        {
            _lastAck[response.TypeUrl] = (response.VersionInfo, response.Nonce, names);
        }

        return SendAsync(new DiscoveryRequest { TypeUrl = response.TypeUrl, VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce, ResourceNames = { names } });
    }

    /// <summary>MOSN's reqX: the remembered version and nonce; the remembered names, or these when there are none.</summary>
    private Task RequestAsync(string typeUrl, string[]? names)
    {
        (string Version, string Nonce, string[] Names) last;
        lock (_gate)
        {
            last = _lastAck.GetValueOrDefault(typeUrl, (string.Empty, string.Empty, []));
        }

        var resourceNames = typeUrl == TypeUrls.Route ? names ?? [] : last.Names.Length > 0 ? last.Names : names ?? [];
        return SendAsync(new DiscoveryRequest { TypeUrl = typeUrl, VersionInfo = last.Version, ResponseNonce = last.Nonce, ResourceNames = { resourceNames } });
    }

    private async Task SendAsync(DiscoveryRequest request)
    {
        // MOSN sends its node on every request.
        request.Node = _node;
        await _sendGate.WaitAsync();
        try
        {
            if (_call is not null && !_stream.IsCancellationRequested)
            {
                await _call.RequestStream.WriteAsync(request);
            }
        }
        catch (Exception) when (_stream.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException)
        {
            // The stream ended.
        }
        catch (RpcException)
        {
            // The stream ended.
        }
        finally
        {
            _sendGate.Release();
        }
    }
}
