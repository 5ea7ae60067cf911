using ControlPlane.XdsServer.Delivery.Wire;
using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// DeltaAggregatedResources: the incremental protocol. The server tracks which version of each
/// resource the proxy holds and sends only what differs, plus the names of removed resources.
/// Subscription changes are honoured whatever the nonce; the nonce only pairs ACKs and NACKs with
/// responses (xDS protocol, "Incremental xDS").
/// </summary>
internal sealed class DeltaStream : AdsStream<DeltaDiscoveryRequest, OutgoingResponse>
{
    private readonly Dictionary<string, DeltaSubscription> _subscriptions = new(StringComparer.Ordinal);

    public DeltaStream(AdsStreamContext context, IAsyncStreamReader<DeltaDiscoveryRequest> requests, IServerStreamWriter<OutgoingResponse> responses, ServerCallContext call)
        : base(context, requests, responses, call, "delta")
    {
    }

    protected override string RequestName => "DeltaDiscoveryRequest";

    protected override async Task OnRequestAsync(DeltaDiscoveryRequest request)
    {
        IdentifyProxy(request.Node);
        var typeUrl = request.TypeUrl;
        if (!CheckTypeUrl(typeUrl))
        {
            return;
        }

        var first = !_subscriptions.TryGetValue(typeUrl, out var subscription);
        if (subscription is null)
        {
            _subscriptions[typeUrl] = subscription = new DeltaSubscription(typeUrl)
            {
                // Legacy wildcard: a first request that names nothing wants everything, where that exists.
                Wildcard = request.ResourceNamesSubscribe.Count == 0 && request.ResourceNamesUnsubscribe.Count == 0 &&
                           typeUrl is TypeUrls.Cluster or TypeUrls.Listener,
            };

            // What the proxy still holds from before a reconnect is not sent again if unchanged.
            foreach (var (name, version) in request.InitialResourceVersions)
            {
                subscription.Held.Set(name, version);
            }
        }

        // Names the response must settle either way: subscribed ones are sent even if the proxy seems
        // to hold them (it may have forgotten them), and one dropped from beside the wildcard is
        // confirmed as kept or removed.
        var settle = new HashSet<string>(StringComparer.Ordinal);
        var subscribed = new List<string>();
        var unsubscribed = new List<string>();
        foreach (var name in request.ResourceNamesSubscribe)
        {
            if (name == "*")
            {
                subscription.Wildcard = true;
                continue;
            }

            subscribed.Add(name);

            // On a reconnect, a name the proxy says it holds is sent only if its version differs.
            if (!(first && request.InitialResourceVersions.ContainsKey(name)))
            {
                settle.Add(name);
            }
        }

        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            if (name == "*")
            {
                subscription.Wildcard = false;
            }
            else if (subscription.Names.Contains(name))
            {
                unsubscribed.Add(name);
                if (subscription.Wildcard)
                {
                    settle.Add(name);
                }
                else
                {
                    // Forgotten by the proxy: a later subscribe must send it again.
                    subscription.Held.Remove(name);
                }
            }
        }

        subscription.ChangeNames(subscribed, unsubscribed, Context.NameSets);

        // A nonce on the first request of a type answers a previous stream's response: nothing here.
        if (!first && !string.IsNullOrEmpty(request.ResponseNonce))
        {
            if (request.ResponseNonce != subscription.SentNonce)
            {
                XdsMetrics.RejectedRequests.WithLabels("stale_nonce").Inc();
                Logger.LogDebug("Delta {Type} request from {ProxyId} answers stale nonce {Nonce}", TypeUrls.ShortName(typeUrl), Node.Id, Bounded(request.ResponseNonce));
            }
            else if (request.ErrorDetail is not null)
            {
                RecordNack(typeUrl, subscription.SentVersion, request.ResponseNonce, request.ErrorDetail);
            }
            else
            {
                RecordAck(typeUrl, subscription.SentVersion, request.ResponseNonce);
            }
        }

        if (first || settle.Count > 0)
        {
            await RespondAsync(subscription, Context.Cache.Current, force: first, isPush: false, settle);
        }
    }

    protected override bool IsSubscribed(string typeUrl) => _subscriptions.ContainsKey(typeUrl);

    protected override Task PushTypeAsync(string typeUrl, CacheState state) =>
        RespondAsync(_subscriptions[typeUrl], state, force: false, isPush: true, settle: null);

    private async Task RespondAsync(DeltaSubscription subscription, CacheState state, bool force, bool isPush, IReadOnlySet<string>? settle)
    {
        var typeUrl = subscription.TypeUrl;
        var set = (await ConfigAsync(state)).Of(typeUrl);
        var wantsAll = subscription.Wildcard || subscription.NamesFingerprint == Context.Prepared.KeysOf(set);
        // The shared transition serves names just subscribed too, when they exist and are not held:
        // it sends them as new.
        ResourceSet? holds = null;
        PreparedResponse? prepared;
        if (wantsAll && subscription.Held.Exactly is { } held &&
            (settle is null || settle.All(name => set.Find(name) is not null && held.Find(name) is null)))
        {
            prepared = Context.Prepared.DeltaTransition(typeUrl, held, set);
        }
        else if (!subscription.Wildcard && settle is null && subscription.Held.Exactly is { } whole &&
                 subscription.NamesFingerprint == Context.Prepared.KeysOf(whole))
        {
            // Holds exactly an older set and asks for just its names: shared with the other streams too.
            (prepared, holds) = Context.Prepared.DeltaWithin(typeUrl, whole, set);
        }
        else
        {
            prepared = Difference(subscription, set, settle);
        }

        if (prepared is null && !force)
        {
            return;
        }

        prepared ??= PreparedResponse.Delta(typeUrl, Context.Prepared.VersionOf(set), [], [], Context.Options.ControlPlaneId);
        if (wantsAll)
        {
            // Whatever it held before, the proxy now holds exactly the view's set, shared with others.
            subscription.Held.Rebase(set);
        }
        else if (holds is not null)
        {
            subscription.Held.Rebase(holds);
        }

        var nonce = NextNonce();
        subscription.SentVersion = prepared.Version;
        subscription.SentNonce = nonce;
        await SendAsync(new OutgoingResponse(prepared, nonce), prepared.Body.Length);
        RecordSent(typeUrl, prepared.Version, nonce, prepared.Count, state, isPush);
    }

    /// <summary>
    /// What this proxy lacks of <paramref name="set"/>, worked out for it alone (it holds something
    /// other than a whole set, or asked for names); records what it will hold. Null when nothing.
    /// </summary>
    private PreparedResponse? Difference(DeltaSubscription subscription, ResourceSet set, IReadOnlySet<string>? settle)
    {
        var typeUrl = subscription.TypeUrl;
        var updated = new SortedDictionary<string, XdsResource>(StringComparer.Ordinal);
        var removed = new SortedSet<string>(StringComparer.Ordinal);
        IEnumerable<string> inScope = subscription.Wildcard ? set.Resources.Keys.Concat(subscription.Names) : subscription.Names;
        foreach (var name in inScope)
        {
            if (set.Find(name) is { } resource && (!subscription.Held.TryGet(name, out var held) || held != resource.Version))
            {
                updated[name] = resource;
            }
        }

        foreach (var name in subscription.Held.Names)
        {
            if (set.Find(name) is null && subscription.InScope(name))
            {
                removed.Add(name);
            }
        }

        var unknown = new List<string>();
        foreach (var name in settle ?? (IEnumerable<string>)[])
        {
            if (set.Find(name) is { } resource && subscription.InScope(name))
            {
                updated[name] = resource;
            }
            else
            {
                removed.Add(name);
                unknown.Add(name);
            }
        }

        NoteUnknownNames(typeUrl, unknown);
        if (updated.Count == 0 && removed.Count == 0)
        {
            return null;
        }

        foreach (var resource in updated.Values)
        {
            subscription.Held.Set(resource.Name, resource.Version);
        }

        foreach (var name in removed)
        {
            subscription.Held.Remove(name);
        }

        return PreparedResponse.Delta(typeUrl, Context.Prepared.VersionOf(set), updated.Values, removed, Context.Options.ControlPlaneId);
    }
}
