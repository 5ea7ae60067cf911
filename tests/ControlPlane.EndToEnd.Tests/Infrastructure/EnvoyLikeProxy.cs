using System.Collections.Concurrent;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A sidecar as Envoy behaves towards its control plane, enough for chaos tests: one ADS stream
/// (state of the world) asking for all clusters and then the endpoints of its EDS clusters, ACKing
/// what it gets, and reconnecting with a short backoff whenever the stream breaks, resending the
/// versions it holds. It records every response, so a test can check that none withdrew config.
/// </summary>
public sealed class EnvoyLikeProxy : IAsyncDisposable
{
    private const string ClusterType = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private const string EndpointType = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private readonly GrpcChannel _channel;
    private readonly Node _node;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly List<(Func<Received, bool> Match, TaskCompletionSource<Received> Done)> _waiters = new();
    private volatile IReadOnlySet<string> _clusters = new HashSet<string>();
    private volatile IReadOnlyDictionary<string, int> _endpoints = new Dictionary<string, int>();
    private string _clusterVersion = string.Empty;
    private string _endpointVersion = string.Empty;
    private int _streams;

    public EnvoyLikeProxy(int port, string pod, string ns = "default")
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        _node = new Node
        {
            Id = $"sidecar~10.0.0.1~{pod}.{ns}~{ns}.svc.cluster.local",
            Cluster = $"{pod}.{ns}",
            Metadata = new Struct { Fields = { ["NAMESPACE"] = Value.ForString(ns), ["ISTIO_VERSION"] = Value.ForString("1.10.0") } },
        };
        _running = Task.Run(RunAsync);
    }

    /// <summary>One response as the proxy received it: its type, version and what it held.</summary>
    /// <param name="Names">Cluster names (CDS) or cluster names of the assignments (EDS).</param>
    /// <param name="EmptyAssignments">EDS only: the clusters whose assignment had no endpoint.</param>
    public sealed record Received(string TypeUrl, string Version, IReadOnlySet<string> Names, IReadOnlySet<string> EmptyAssignments);

    public IReadOnlyList<Received> Responses => _received.ToList();

    /// <summary>The clusters the proxy holds now.</summary>
    public IReadOnlySet<string> Clusters => _clusters;

    /// <summary>Endpoints per EDS cluster the proxy holds now.</summary>
    public IReadOnlyDictionary<string, int> Endpoints => _endpoints;

    /// <summary>How many streams the proxy has opened (reconnects + 1).</summary>
    public int Streams => Volatile.Read(ref _streams);

    /// <summary>Completes when the proxy receives a response that matches (not one received before), so a test can act at that very moment.</summary>
    public Task<Received> NextAsync(Func<Received, bool> match)
    {
        var done = new TaskCompletionSource<Received>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((match, done));
        }

        return done.Task;
    }

    /// <summary>Stops reconnecting and closes the stream, as a proxy that shuts down.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _channel.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await StreamAsync(_stop.Token);
                backoff = TimeSpan.FromMilliseconds(50);
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // The control plane went away or refused the stream: keep the config, retry, as Envoy does.
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(backoff, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 400));
        }
    }

    private async Task StreamAsync(CancellationToken cancellationToken)
    {
        using var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel).StreamAggregatedResources(cancellationToken: cancellationToken);
        Interlocked.Increment(ref _streams);
        // The last nonce received for EDS on this stream: every EDS request carries it, as Envoy's do.
        var endpointNonce = string.Empty;
        await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = ClusterType, VersionInfo = _clusterVersion, Node = _node }, cancellationToken);
        if (_clusters.Count > 0)
        {
            await RequestEndpointsAsync(call, string.Empty, cancellationToken);
        }

        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var response = call.ResponseStream.Current;
            if (response.TypeUrl == ClusterType)
            {
                var clusters = response.Resources.Select(r => r.Unpack<Cluster>()).ToList();
                var names = clusters.Select(c => c.Name).ToHashSet();
                Record(new Received(ClusterType, response.VersionInfo, names, new HashSet<string>()));
                _clusterVersion = response.VersionInfo;
                _clusters = clusters.Where(c => c.Type == Cluster.Types.DiscoveryType.Eds).Select(c => c.Name).ToHashSet();
                await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = ClusterType, VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce }, cancellationToken);
                await RequestEndpointsAsync(call, endpointNonce, cancellationToken);
            }
            else if (response.TypeUrl == EndpointType)
            {
                var assignments = response.Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).ToList();
                var counts = assignments.ToDictionary(a => a.ClusterName, a => a.Endpoints.Sum(l => l.LbEndpoints.Count));
                Record(new Received(EndpointType, response.VersionInfo, counts.Keys.ToHashSet(), counts.Where(c => c.Value == 0).Select(c => c.Key).ToHashSet()));
                _endpointVersion = response.VersionInfo;
                _endpoints = counts;
                endpointNonce = response.Nonce;
                await RequestEndpointsAsync(call, endpointNonce, cancellationToken);
            }
        }
    }

    private void Record(Received received)
    {
        _received.Enqueue(received);
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(received)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(received);
            }
        }
    }

    private Task RequestEndpointsAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, string nonce, CancellationToken cancellationToken)
    {
        var request = new DiscoveryRequest { TypeUrl = EndpointType, VersionInfo = _endpointVersion, ResponseNonce = nonce };
        request.ResourceNames.AddRange(_clusters.Order(StringComparer.Ordinal));
        return call.RequestStream.WriteAsync(request, cancellationToken);
    }
}
