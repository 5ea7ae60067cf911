using ControlPlane.XdsServer.Delivery.Wire;
using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// StreamAggregatedResources: the state-of-the-world protocol. Every response carries all resources
/// of its type the proxy asked for; CDS and LDS are wildcard, EDS and RDS by name. Requests are
/// answered as istiod 1.10's shouldRespond does: the first request of a type on a stream always,
/// whatever nonce it carries; an ACK only when it changes the names asked for; a NACK or a request
/// answering an older response (stale nonce) never.
/// </summary>
internal sealed class SotwStream : AdsStream<SotwRequest, OutgoingResponse>
{
    private readonly Dictionary<string, SotwSubscription> _subscriptions = new(StringComparer.Ordinal);
    private DeliveryPolicy? _policy;
    private bool _endpointsAwaitClusterAck;
    private int _expectedRequestBytes;

    public SotwStream(AdsStreamContext context, IAsyncStreamReader<SotwRequest> requests, IServerStreamWriter<OutgoingResponse> responses, ServerCallContext call)
        : base(context, requests, responses, call, "sotw")
    {
    }

    private DeliveryPolicy Policy => _policy ??= DeliveryPolicy.For(Node);

    protected override string RequestName => "DiscoveryRequest";

    protected override async Task OnRequestAsync(SotwRequest request)
    {
        try
        {
            await HandleAsync(request);
        }
        finally
        {
            // Released as soon as its names are taken (before any send); here on the paths that return early.
            request.Release();
        }
    }

    private async Task HandleAsync(SotwRequest request)
    {
        if (Connection.Node is null)
        {
            IdentifyProxy(request.Node);
        }

        var typeUrl = request.TypeUrl;
        if (!CheckTypeUrl(typeUrl))
        {
            return;
        }

        if (!_subscriptions.TryGetValue(typeUrl, out var subscription) || string.IsNullOrEmpty(request.ResponseNonce))
        {
            // The first request of this type on this stream, or one that answers nothing: it states
            // what the proxy wants and gets all of it. A nonce from a previous stream means nothing here.
            subscription ??= _subscriptions[typeUrl] = new SotwSubscription(typeUrl);
            subscription.Update(request, Context.NameSets);
            ExpectRequestBytes(subscription, request.Length);
            request.Release();
            await RespondAsync(subscription, Context.Cache.Current, Reply.Fresh);
            return;
        }

        if (request.ResponseNonce != subscription.SentNonce)
        {
            // Answers a response that a newer one has replaced; the newer one's ACK will follow and
            // carries the names the proxy wants by then.
            XdsMetrics.RejectedRequests.WithLabels("stale_nonce").Inc();
            Logger.LogDebug("Ignoring {Type} request from {ProxyId} with stale nonce {Nonce} (latest {SentNonce})", TypeUrls.ShortName(typeUrl), Node.Id, Bounded(request.ResponseNonce), subscription.SentNonce);
            return;
        }

        subscription.AnsweredNonce = request.ResponseNonce;
        ExpectRequestBytes(subscription, request.Length);
        if (request.ErrorDetail is { } error)
        {
            // The rejected version stays recorded as sent, so the same content is not pushed again;
            // the next push is whole, as the proxy kept what it held before.
            RecordNack(typeUrl, subscription.SentVersion, request.ResponseNonce, error);
            subscription.SentSet = null;
        }
        else
        {
            RecordAck(typeUrl, request.VersionInfo, request.ResponseNonce);
        }

        // A newer request supersedes the older one of its type, NACK or not: take its names.
        var namesChanged = subscription.Update(request, Context.NameSets);
        request.Release();
        if (namesChanged && !IgnoresNames(typeUrl))
        {
            await RespondAsync(subscription, Context.Cache.Current, Reply.NamesChanged);
        }

        if (typeUrl == TypeUrls.Cluster && _endpointsAwaitClusterAck && _subscriptions.TryGetValue(TypeUrls.Endpoint, out var endpoints))
        {
            // Held back while these clusters were on their way (see RespondAsync); sent even if
            // unchanged, since the proxy may have dropped the last ones.
            _endpointsAwaitClusterAck = false;
            await RespondAsync(endpoints, Context.Cache.Current, Reply.Fresh);
        }
    }

    protected override bool IsSubscribed(string typeUrl) => _subscriptions.ContainsKey(typeUrl);

    protected override void OnEnded()
    {
        Context.Reserve.Expect(-_expectedRequestBytes);
        _expectedRequestBytes = 0;
    }

    /// <summary>
    /// Tells the receive buffer reserve how large this stream's next request will be: after a push,
    /// each subscribed type sends one, as large as its last; the largest of them is what a wave of
    /// ACKs holds per stream.
    /// </summary>
    private void ExpectRequestBytes(SotwSubscription subscription, int bytes)
    {
        subscription.RequestBytes = bytes;
        var largest = 0;
        foreach (var each in _subscriptions.Values)
        {
            largest = Math.Max(largest, each.RequestBytes);
        }

        if (largest != _expectedRequestBytes)
        {
            Context.Reserve.Expect(largest - _expectedRequestBytes);
            _expectedRequestBytes = largest;
        }
    }

    protected override Task PushTypeAsync(string typeUrl, CacheState state) =>
        RespondAsync(_subscriptions[typeUrl], state, Reply.Push);

    /// <summary>True where the policy decides the resources, not the request's names.</summary>
    private bool IgnoresNames(string typeUrl) => typeUrl == TypeUrls.Endpoint && Policy.EndpointsFollowClusters;

    private async Task RespondAsync(SotwSubscription subscription, CacheState state, Reply reply)
    {
        var typeUrl = subscription.TypeUrl;
        if (typeUrl == TypeUrls.Endpoint && Policy.EndpointsFollowClusters &&
            _subscriptions.TryGetValue(TypeUrls.Cluster, out var clusters) && clusters.AwaitingAnswer)
        {
            // MOSN drops endpoints of clusters it has not created yet, and handles responses
            // concurrently: no EDS goes out while a CDS response is unanswered; it follows the ACK.
            _endpointsAwaitClusterAck = true;
            return;
        }

        var set = (await ConfigAsync(state)).Of(typeUrl);
        var (prepared, whole) = Prepare(set, subscription, reply);
        subscription.SentSet = whole;
        if (prepared is null)
        {
            return;
        }

        var nonce = NextNonce();
        subscription.SentVersion = prepared.Version;
        subscription.SentNonce = nonce;
        await SendAsync(new OutgoingResponse(prepared, nonce), prepared.Body.Length);
        RecordSent(typeUrl, prepared.Version, nonce, prepared.Count, state, isPush: reply == Reply.Push);
    }

    /// <summary>
    /// What to send from <paramref name="set"/>: null when a push brings nothing new. When the proxy
    /// wants the whole set, the response is shared with every stream of the view, and for EDS and RDS
    /// a push or a changed subscription carries only what the proxy lacks since the set last sent:
    /// resources that changed, and newly requested ones (xDS protocol: "the server must resend any
    /// newly requested resources"). Also returns the whole set, if so.
    /// </summary>
    private (PreparedResponse? Response, ResourceSet? Whole) Prepare(ResourceSet set, SotwSubscription subscription, Reply reply)
    {
        var typeUrl = subscription.TypeUrl;
        var isPush = reply == Reply.Push;
        if (WantsAll(set, subscription))
        {
            var version = Context.Prepared.VersionOf(set);
            if (isPush && version == subscription.SentVersion)
            {
                return (null, set);
            }

            var previous = subscription.SentSet;
            if (reply != Reply.Fresh && previous is not null && MaySendChangesOnly(typeUrl))
            {
                // Nothing new for the proxy: a changed subscription still gets its (empty) answer.
                return (Context.Prepared.Changes(typeUrl, previous, set) ?? (isPush ? null : Context.Prepared.Empty(typeUrl, set)), set);
            }

            return (Context.Prepared.Whole(typeUrl, set), set);
        }

        var (named, unknown) = Context.Prepared.Named(typeUrl, set, subscription.Names);
        if (isPush && named.Version == subscription.SentVersion)
        {
            return (null, subscription.SentSet);
        }

        NoteUnknownNames(typeUrl, unknown);
        return (named, null);
    }

    /// <summary>True when the proxy asks for every resource of the set (the usual case for a sidecar).</summary>
    private bool WantsAll(ResourceSet set, SotwSubscription subscription) =>
        IgnoresNames(subscription.TypeUrl) || subscription.Wildcard ||
        subscription.NamesFingerprint == Context.Prepared.KeysOf(set);

    /// <summary>
    /// State-of-the-world EDS and RDS responses need not be complete (xDS protocol, "Grouping
    /// Resources into Responses"); CDS and LDS must be.
    /// </summary>
    private bool MaySendChangesOnly(string typeUrl) =>
        typeUrl == TypeUrls.Endpoint || (typeUrl == TypeUrls.Route && Policy.PartialRoutes);

    /// <summary>Why a response is being prepared.</summary>
    private enum Reply
    {
        /// <summary>A first request, or one that answers nothing: the proxy may hold nothing, so all of it.</summary>
        Fresh,

        /// <summary>An ACK that changed the names asked for.</summary>
        NamesChanged,

        /// <summary>A mesh change.</summary>
        Push,
    }
}
