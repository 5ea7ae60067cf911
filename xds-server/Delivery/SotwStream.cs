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
internal sealed class SotwStream : AdsStream<DiscoveryRequest, DiscoveryResponse>
{
    private readonly Dictionary<string, SotwSubscription> _subscriptions = new(StringComparer.Ordinal);
    private DeliveryPolicy? _policy;
    private bool _endpointsAwaitClusterAck;

    public SotwStream(AdsStreamContext context, IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, ServerCallContext call)
        : base(context, requests, responses, call, "sotw")
    {
    }

    private DeliveryPolicy Policy => _policy ??= DeliveryPolicy.For(Node);

    protected override async Task OnRequestAsync(DiscoveryRequest request)
    {
        IdentifyProxy(request.Node);
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
            subscription.Update(request);
            await RespondAsync(subscription, Context.Cache.Current, isPush: false);
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
        if (request.ErrorDetail is not null)
        {
            // The rejected version stays recorded as sent, so the same content is not pushed again.
            RecordNack(typeUrl, subscription.SentVersion, request.ResponseNonce, request.ErrorDetail);
        }
        else
        {
            RecordAck(typeUrl, request.VersionInfo, request.ResponseNonce);
        }

        // A newer request supersedes the older one of its type, NACK or not: take its names.
        if (subscription.Update(request) && !IgnoresNames(typeUrl))
        {
            await RespondAsync(subscription, Context.Cache.Current, isPush: false);
        }

        if (typeUrl == TypeUrls.Cluster && _endpointsAwaitClusterAck && _subscriptions.TryGetValue(TypeUrls.Endpoint, out var endpoints))
        {
            // Held back while these clusters were on their way (see RespondAsync); sent even if
            // unchanged, since the proxy may have dropped the last ones.
            _endpointsAwaitClusterAck = false;
            await RespondAsync(endpoints, Context.Cache.Current, isPush: false);
        }
    }

    protected override bool IsSubscribed(string typeUrl) => _subscriptions.ContainsKey(typeUrl);

    protected override Task PushTypeAsync(string typeUrl, CacheState state) =>
        RespondAsync(_subscriptions[typeUrl], state, isPush: true);

    /// <summary>True where the policy decides the resources, not the request's names.</summary>
    private bool IgnoresNames(string typeUrl) => typeUrl == TypeUrls.Endpoint && Policy.EndpointsFollowClusters;

    private async Task RespondAsync(SotwSubscription subscription, CacheState state, bool isPush)
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

        var config = await ConfigAsync(state);
        var resources = Select(config.Of(typeUrl), subscription, IgnoresNames(typeUrl), out var unknown);
        NoteUnknownNames(typeUrl, unknown);
        var version = ResponseVersion.Of(resources);
        if (isPush && version == subscription.SentVersion)
        {
            return;
        }

        var nonce = NextNonce();
        var response = new DiscoveryResponse
        {
            TypeUrl = typeUrl,
            VersionInfo = version,
            Nonce = nonce,
            ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = Context.Options.ControlPlaneId },
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(resource.Body);
        }

        subscription.SentVersion = version;
        subscription.SentNonce = nonce;
        await SendAsync(response);
        RecordSent(typeUrl, version, nonce, resources.Count, state, isPush);
    }

    private static List<XdsResource> Select(ResourceSet set, SotwSubscription subscription, bool everything, out List<string> unknown)
    {
        unknown = [];
        if (everything || subscription.Wildcard)
        {
            return set.Resources.Values.ToList();
        }

        var selected = new List<XdsResource>(subscription.Names.Count);
        foreach (var name in subscription.Names.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (set.Find(name) is { } resource)
            {
                selected.Add(resource);
            }
            else
            {
                unknown.Add(name);
            }
        }

        return selected;
    }
}
