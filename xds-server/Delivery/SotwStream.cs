using System.Collections.Immutable;
using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// StreamAggregatedResources: the state-of-the-world protocol. Every response carries all resources
/// of its type the proxy asked for; CDS and LDS are wildcard, EDS and RDS by name.
/// </summary>
internal sealed class SotwStream : AdsStream<DiscoveryRequest, DiscoveryResponse>
{
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    public SotwStream(AdsStreamContext context, IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, ServerCallContext call)
        : base(context, requests, responses, call, "sotw")
    {
    }

    protected override async Task OnRequestAsync(DiscoveryRequest request)
    {
        IdentifyProxy(request.Node);
        var typeUrl = request.TypeUrl;
        if (!CheckTypeUrl(typeUrl))
        {
            return;
        }

        var names = request.ResourceNames.ToImmutableHashSet(StringComparer.Ordinal);
        var wildcard = IsWildcard(typeUrl, names);
        if (!_subscriptions.TryGetValue(typeUrl, out var subscription))
        {
            _subscriptions[typeUrl] = subscription = new Subscription();
        }

        if (string.IsNullOrEmpty(request.ResponseNonce))
        {
            // A first request, or the first after a reconnect: always answered.
            subscription.Names = names;
            subscription.Wildcard = wildcard;
            await RespondAsync(typeUrl, subscription, Context.Cache.Current, isPush: false);
            return;
        }

        if (request.ResponseNonce != subscription.SentNonce)
        {
            // Answers a response that a newer one has replaced; the newer one's ACK will follow.
            XdsMetrics.RejectedRequests.WithLabels("stale_nonce").Inc();
            Logger.LogDebug("Ignoring {Type} request from {ProxyId} with stale nonce {Nonce} (latest {SentNonce})", TypeUrls.ShortName(typeUrl), Node.Id, request.ResponseNonce, subscription.SentNonce);
            return;
        }

        var namesChanged = wildcard != subscription.Wildcard || !names.SetEquals(subscription.Names);
        subscription.Names = names;
        subscription.Wildcard = wildcard;
        if (request.ErrorDetail is not null)
        {
            // The rejected version stays recorded as sent, so the same content is not pushed again.
            RecordNack(typeUrl, subscription.SentVersion, request.ResponseNonce, request.ErrorDetail);
        }
        else
        {
            RecordAck(typeUrl, request.VersionInfo, request.ResponseNonce);
        }

        if (namesChanged)
        {
            await RespondAsync(typeUrl, subscription, Context.Cache.Current, isPush: false);
        }
    }

    protected override bool IsSubscribed(string typeUrl) => _subscriptions.ContainsKey(typeUrl);

    protected override Task PushTypeAsync(string typeUrl, CacheState state) =>
        RespondAsync(typeUrl, _subscriptions[typeUrl], state, isPush: true);

    private async Task RespondAsync(string typeUrl, Subscription subscription, CacheState state, bool isPush)
    {
        var config = await ConfigAsync(state);
        var resources = Select(config.Of(typeUrl), subscription);
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

    private static List<XdsResource> Select(ResourceSet set, Subscription subscription)
    {
        if (subscription.Wildcard)
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
        }

        return selected;
    }

    /// <summary>CDS and LDS requests with no names (or "*") mean "everything"; EDS and RDS never do.</summary>
    private static bool IsWildcard(string typeUrl, ImmutableHashSet<string> names) =>
        typeUrl is TypeUrls.Cluster or TypeUrls.Listener && (names.Count == 0 || names.Contains("*"));

    private sealed class Subscription
    {
        public ImmutableHashSet<string> Names { get; set; } = ImmutableHashSet<string>.Empty;

        public bool Wildcard { get; set; }

        public string? SentVersion { get; set; }

        public string? SentNonce { get; set; }
    }
}
