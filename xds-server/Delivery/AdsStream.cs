using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// What both ADS flavours share: one loop per stream that takes requests and push notifications in
/// order, identifies the proxy from its first request, and writes with a send timeout so a dead
/// proxy is dropped instead of holding anything up.
/// </summary>
internal abstract class AdsStream<TRequest, TResponse>
    where TRequest : class
{
    /// <summary>How much of a NACK's error message is kept (in /debug/syncz) and logged.</summary>
    internal const int MaxNackMessageLength = 2048;

    private static long _connectionCounter;
    private readonly IAsyncStreamReader<TRequest> _requests;
    private readonly IServerStreamWriter<TResponse> _responses;
    private readonly HashSet<string> _reportedUnknownTypes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedUnknownNames = new(StringComparer.Ordinal);
    private volatile bool _proxyLeft;

    /// <summary>How reading the proxy's requests ended, for the log of a stream that ends unidentified.</summary>
    private string _readEnd = "still reading";
    private long _nonce;
    private ProxyView? _lastView;
    private StateView? _viewIn;

    protected AdsStream(AdsStreamContext context, IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext call, string flavor)
    {
        Context = context;
        _requests = requests;
        _responses = responses;
        Call = call;
        Connection = new ProxyConnection($"{flavor}-{Interlocked.Increment(ref _connectionCounter)}", flavor, call.Peer, context.Options.MaxQueuedRequests);
    }

    protected AdsStreamContext Context { get; }

    protected ServerCallContext Call { get; }

    protected ProxyConnection Connection { get; }

    protected ILogger Logger => Context.Logger;

    protected ProxyNode Node => Connection.Node ?? throw new InvalidOperationException("no node yet");

    protected CancellationToken Cancellation { get; private set; }

    public async Task RunAsync()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Call.CancellationToken);
        Cancellation = cancellation.Token;
        var reading = ReadRequestsAsync(cancellation.Token);
        try
        {
            await foreach (var item in Connection.Events.ReadAllAsync(cancellation.Token))
            {
                if (item is ProxyConnection.PushMarker)
                {
                    var change = Connection.TakePendingPush();
                    if (change is not null && Connection.Node is not null)
                    {
                        await OnPushAsync(change);
                    }

                    continue;
                }

                Connection.RequestTaken();
                await OnRequestAsync((TRequest)item);
            }
        }
        catch (Exception e) when (ProxyWentAway(e))
        {
            // A proxy closing or resetting its stream is how streams end; "disconnected" says so below.
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            XdsMetrics.RejectedRequests.WithLabels("too_large").Inc();
            Logger.LogWarning("Closing ADS stream {ConnectionId} of {ProxyId} from {Peer}: {Reason}", Connection.Id, Connection.Node?.Id ?? "unidentified", Call.Peer, Bounded(e.Status.Detail, 200));
            throw;
        }
        catch (Exception e) when (Undecodable(e) is { } undecodable)
        {
            // Bad input from the proxy, not a failure of ours: INVALID_ARGUMENT, as for a bad node.
            XdsMetrics.RejectedRequests.WithLabels("undecodable").Inc();
            var reason = $"the request is not a valid {RequestName}: {Bounded(undecodable.Message, 200)}";
            Logger.LogWarning("Closing ADS stream {ConnectionId} of {ProxyId} from {Peer}: {Reason}", Connection.Id, Connection.Node?.Id ?? "unidentified", Call.Peer, reason);
            throw new RpcException(new Status(StatusCode.InvalidArgument, reason));
        }
        catch (Exception e) when (e is not RpcException)
        {
            Logger.LogWarning("ADS stream {ConnectionId} of {ProxyId} failed: {Error}", Connection.Id, Connection.Node?.Id ?? "unidentified", Bounded(e.Message, 200));
            throw new RpcException(new Status(StatusCode.Internal, e.Message));
        }
        finally
        {
            await cancellation.CancelAsync();
            OnEnded();
            Context.Registry.Remove(Connection);
            if (Connection.Node is not null)
            {
                Logger.LogInformation("Proxy {ProxyId} disconnected ({Flavor} stream {ConnectionId})", Connection.Node.Id, Connection.Flavor, Connection.Id);
            }
            else
            {
                Logger.LogDebug("ADS stream {ConnectionId} from {Peer} ended before its first request ({Reason})", Connection.Id, Call.Peer, _readEnd);
            }

            await reading;
        }
    }

    /// <summary>The request message's name in the xDS API, for error messages.</summary>
    protected abstract string RequestName { get; }

    protected abstract Task OnRequestAsync(TRequest request);

    /// <summary>Called once when the stream ends, however it ends.</summary>
    protected virtual void OnEnded()
    {
    }

    protected abstract bool IsSubscribed(string typeUrl);

    /// <summary>Sends the proxy this type's resources from <paramref name="state"/> if they differ from what it has.</summary>
    protected abstract Task PushTypeAsync(string typeUrl, CacheState state);

    /// <summary>
    /// Sends what changed, in Envoy's warming order. Endpoint-only changes send EDS only, unless the
    /// proxy's own view moved (its workload joined or left a service).
    /// </summary>
    private async Task OnPushAsync(Mesh.Model.MeshChange change)
    {
        var state = Context.Cache.Current;
        var viewChanged = ViewIn(state) != _lastView;
        foreach (var typeUrl in TypeUrls.PushOrder)
        {
            if (!IsSubscribed(typeUrl) || (change.IsEndpointOnly && !viewChanged && typeUrl != TypeUrls.Endpoint))
            {
                continue;
            }

            await PushTypeAsync(typeUrl, state);
        }
    }

    /// <summary>The proxy's view in <paramref name="state"/> and its config, generated under the push limit.</summary>
    protected async Task<ProxyConfig> ConfigAsync(CacheState state)
    {
        var view = ViewIn(state);
        _lastView = view;
        // The generation is shared: whoever starts it finishes it for the others, even if its own stream ends.
        return await state.ConfigForAsync(view, work => Context.Limiter.RunAsync(work, CancellationToken.None)).WaitAsync(Cancellation);
    }

    /// <summary>The proxy's view in <paramref name="state"/>, worked out once per published state (a push asks twice).</summary>
    private ProxyView ViewIn(CacheState state)
    {
        var known = Volatile.Read(ref _viewIn);
        if (known is not null && ReferenceEquals(known.State, state))
        {
            return known.View;
        }

        var view = state.ViewOf(Node);
        Volatile.Write(ref _viewIn, new StateView(state, view));
        return view;
    }

    /// <summary>Takes the node from the stream's first request; later requests may leave it out.</summary>
    protected void IdentifyProxy(Node? node)
    {
        if (Connection.Node is not null)
        {
            return;
        }

        if (node is null)
        {
            Reject("missing_node", "the first request on a stream must carry node (id and metadata)");
        }

        ProxyNode parsed;
        try
        {
            parsed = NodeParser.Parse(node!);
        }
        catch (FormatException e)
        {
            Reject("bad_node", e.Message);
            throw;
        }

        Connection.Node = parsed;
        Context.Registry.Add(Connection);
        Logger.LogInformation(
            "Proxy {ProxyId} connected from {Peer} ({Flavor} stream {ConnectionId}, kind {ProxyKind}, namespace {Namespace}, Istio {IstioVersion})",
            parsed.Id, Call.Peer, Connection.Flavor, Connection.Id, parsed.Kind, parsed.Namespace, parsed.IstioVersion ?? "unknown");
    }

    /// <summary>False (and logged once per type) for types this server does not serve; the stream stays up.</summary>
    protected bool CheckTypeUrl(string typeUrl)
    {
        if (string.IsNullOrEmpty(typeUrl))
        {
            Reject("missing_type_url", "type_url is required on every ADS request");
        }

        if (TypeUrls.IsKnown(typeUrl))
        {
            return true;
        }

        XdsMetrics.RejectedRequests.WithLabels("unknown_type").Inc();
        if (_reportedUnknownTypes.Add(typeUrl))
        {
            Logger.LogWarning("Proxy {ProxyId} asked for resource type {TypeUrl}, which this server does not serve; ignoring it", Connection.Node?.Id, Bounded(typeUrl, 200));
        }

        return false;
    }

    /// <summary>Client input as it may appear in a log line: at most 64 characters, marked when cut.</summary>
    protected static string Bounded(string? value, int max = 64) =>
        value is null ? string.Empty : value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    protected string NextNonce() => Interlocked.Increment(ref _nonce).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes a response of <paramref name="bytes"/> bytes, within the send timeout; a large one waits
    /// for a write slot first (<see cref="SendLimiter"/>), so bursts do not buffer every proxy's
    /// response at once, and gives the slot up if the proxy is still taking it after
    /// <see cref="XdsServerOptions.MaxSendSlotHold"/>.
    /// </summary>
    protected async Task SendAsync(TResponse response, int bytes)
    {
        // Waiting for a write slot is the server's own pacing, not the proxy being slow: the send
        // timeout counts from when the write starts.
        var holdsSlot = await Context.Sends.AcquireAsync(bytes, Cancellation);
        try
        {
            using var timer = new CancellationTokenSource(Context.Options.SendTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(Cancellation, timer.Token);
            try
            {
                var write = _responses.WriteAsync(response, linked.Token);
                if (holdsSlot && !write.IsCompleted && Context.Options.MaxSendSlotHold > TimeSpan.Zero && !await Finishes(write, Context.Options.MaxSendSlotHold))
                {
                    Context.Sends.Release();
                    holdsSlot = false;
                    XdsMetrics.SlowSends.Inc();
                    Logger.LogDebug("Proxy {ProxyId} is taking a response slowly; its write goes on without a send slot", Connection.Node?.Id);
                }

                await write;
            }
            catch (Exception e) when (timer.IsCancellationRequested && e is OperationCanceledException or IOException or InvalidOperationException)
            {
                // Cancelling a write blocked on flow control may also abort the call; either way it timed out.
                Logger.LogWarning("Proxy {ProxyId} did not take a response within {SendTimeout}; closing its stream", Connection.Node?.Id, Context.Options.SendTimeout);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"send timed out after {Context.Options.SendTimeout}"));
            }
        }
        finally
        {
            if (holdsSlot)
            {
                Context.Sends.Release();
            }
        }
    }

    /// <summary>Whether <paramref name="write"/> ends (either way) within <paramref name="within"/> (positive; longer than WaitAsync takes counts as for ever).</summary>
    private static async Task<bool> Finishes(Task write, TimeSpan within)
    {
        try
        {
            await (within.TotalMilliseconds >= uint.MaxValue - 1 ? write : write.WaitAsync(within));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // The write's own failure is observed where it is awaited.
            return true;
        }
    }

    protected void RecordNack(string typeUrl, string? rejectedVersion, string nonce, Google.Rpc.Status error)
    {
        // Envoy's reasons can run to kilobytes and a hostile client's to megabytes: keep and log the start.
        var message = Bounded(error.Message, MaxNackMessageLength);
        var nack = new NackRecord(rejectedVersion is null ? null : Bounded(rejectedVersion), Bounded(nonce), message, DateTimeOffset.UtcNow);
        Connection.UpdateStatus(typeUrl, s => s.LastNack = nack);
        XdsMetrics.Nacks.WithLabels(TypeUrls.ShortName(typeUrl)).Inc();
        Logger.LogWarning(
            "Proxy {ProxyId} rejected {Type} version {Version} (nonce {Nonce}): {NackMessage}",
            Node.Id, TypeUrls.ShortName(typeUrl), nack.RejectedVersion, nack.Nonce, message);
    }

    protected void RecordAck(string typeUrl, string? version, string nonce) =>
        Connection.UpdateStatus(typeUrl, s =>
        {
            s.AckedVersion = version;
            s.AckedNonce = nonce;
            s.AckedAt = DateTimeOffset.UtcNow;
        });

    protected void RecordSent(string typeUrl, string version, string nonce, int count, CacheState state, bool isPush)
    {
        Connection.UpdateStatus(typeUrl, s =>
        {
            s.SentVersion = version;
            s.SentNonce = nonce;
            s.SentAt = DateTimeOffset.UtcNow;
            s.SentResources = count;
        });
        XdsMetrics.Responses.WithLabels(TypeUrls.ShortName(typeUrl)).Inc();
        if (typeUrl == TypeUrls.Cluster && _lastView is not null)
        {
            Context.Notices.ClustersSent(Connection, state.ConfigFor(_lastView).Notices);
        }

        if (isPush && state.ChangedAt is { } changedAt)
        {
            XdsMetrics.PushConvergence.Observe((DateTimeOffset.UtcNow - changedAt).TotalSeconds);
        }

        Logger.LogDebug("Sent {Type} version {Version} nonce {Nonce} with {Count} resources to {ProxyId}", TypeUrls.ShortName(typeUrl), version, nonce, count, Node.Id);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Reject(string reason, string message)
    {
        XdsMetrics.RejectedRequests.WithLabels(reason).Inc();
        Logger.LogWarning("Closing ADS stream from {Peer} ({ProxyId}): {Reason}", Call.Peer, Connection.Node?.Id ?? "unidentified", message);
        throw new RpcException(new Status(StatusCode.InvalidArgument, message));
    }

    private async Task ReadRequestsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Connection.WaitForRequestSlotAsync(cancellationToken);
                if (!await _requests.MoveNext(cancellationToken))
                {
                    _readEnd = "the proxy closed its request stream";
                    break;
                }

                Connection.EnqueueRequest(_requests.Current);
            }

            Connection.Complete();
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested || IsDisconnect(e))
        {
            // Cancelled, or the proxy reset its stream: it left; there is nothing more to read.
            _readEnd = cancellationToken.IsCancellationRequested ? "cancelled" : $"{e.GetType().Name}: {Bounded(e.Message, 200)}";
            _proxyLeft = true;
            Connection.Complete();
        }
        catch (Exception e)
        {
            Connection.Complete(e);
        }
    }

    private static Google.Protobuf.InvalidProtocolBufferException? Undecodable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Google.Protobuf.InvalidProtocolBufferException undecodable)
            {
                return undecodable;
            }
        }

        return null;
    }

    /// <summary>True for what a stream ends with when the proxy closes or resets it, or the server stops.</summary>
    private bool ProxyWentAway(Exception e) =>
        IsDisconnect(e) && (Call.CancellationToken.IsCancellationRequested || _proxyLeft || Cancellation.IsCancellationRequested);

    /// <summary>A reset or aborted stream; an undecodable request is an IOException too, but bad input, not a disconnect.</summary>
    private static bool IsDisconnect(Exception e) =>
        e is OperationCanceledException || (e is IOException && e is not Google.Protobuf.InvalidProtocolBufferException);

    /// <summary>
    /// Counts requested names this server does not have (a metric by type) and logs them once per
    /// stream and type, at Debug: asking for what does not exist is normal while config converges.
    /// </summary>
    protected void NoteUnknownNames(string typeUrl, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        XdsMetrics.UnknownResourceNames.WithLabels(TypeUrls.ShortName(typeUrl)).Inc(names.Count);
        if (_reportedUnknownNames.Add(typeUrl))
        {
            Logger.LogDebug(
                "Proxy {ProxyId} asked for {Count} {Type} resource(s) that do not exist, e.g. {Name}; reported once per stream",
                Node.Id, names.Count, TypeUrls.ShortName(typeUrl), Bounded(names.First()));
        }
    }

    /// <summary>A view and the published state it was worked out in.</summary>
    private sealed record StateView(CacheState State, ProxyView View);
}
