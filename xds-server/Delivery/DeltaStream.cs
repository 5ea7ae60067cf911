using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// DeltaAggregatedResources: the incremental protocol. The server tracks which version of each
/// resource the proxy holds and sends only what differs, plus the names of removed resources.
/// </summary>
internal sealed class DeltaStream : AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>
{
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    public DeltaStream(AdsStreamContext context, IAsyncStreamReader<DeltaDiscoveryRequest> requests, IServerStreamWriter<DeltaDiscoveryResponse> responses, ServerCallContext call)
        : base(context, requests, responses, call, "delta")
    {
    }

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
            _subscriptions[typeUrl] = subscription = new Subscription
            {
                // A first request naming nothing subscribes to everything, for the types that allow it.
                Wildcard = request.ResourceNamesSubscribe.Count == 0 && typeUrl is TypeUrls.Cluster or TypeUrls.Listener,
            };

            // What the proxy still holds from before a reconnect is not sent again if unchanged.
            foreach (var (name, version) in request.InitialResourceVersions)
            {
                subscription.Known[name] = version;
            }
        }

        var changed = false;
        var added = new List<string>();
        foreach (var name in request.ResourceNamesSubscribe)
        {
            if (name == "*")
            {
                changed |= !subscription.Wildcard;
                subscription.Wildcard = true;
            }
            else if (subscription.Names.Add(name))
            {
                changed = true;
                added.Add(name);
            }
        }

        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            if (name == "*")
            {
                subscription.Wildcard = false;
            }
            else if (subscription.Names.Remove(name))
            {
                // Forgotten by the proxy: a later subscribe must send it again.
                subscription.Known.Remove(name);
            }
        }

        if (!string.IsNullOrEmpty(request.ResponseNonce))
        {
            if (request.ResponseNonce != subscription.SentNonce)
            {
                XdsMetrics.RejectedRequests.WithLabels("stale_nonce").Inc();
                Logger.LogDebug("Delta {Type} request from {ProxyId} answers stale nonce {Nonce}", TypeUrls.ShortName(typeUrl), Node.Id, request.ResponseNonce);
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

        if (first || changed)
        {
            await RespondAsync(typeUrl, subscription, Context.Cache.Current, force: first, isPush: false, added);
        }
    }

    protected override bool IsSubscribed(string typeUrl) => _subscriptions.ContainsKey(typeUrl);

    protected override Task PushTypeAsync(string typeUrl, CacheState state) =>
        RespondAsync(typeUrl, _subscriptions[typeUrl], state, force: false, isPush: true);

    private async Task RespondAsync(string typeUrl, Subscription subscription, CacheState state, bool force, bool isPush, IReadOnlyCollection<string>? added = null)
    {
        var set = (await ConfigAsync(state)).Of(typeUrl);

        var updated = new List<XdsResource>();
        IEnumerable<string> inScope = subscription.Wildcard ? set.Resources.Keys.Concat(subscription.Names).Distinct() : subscription.Names;
        foreach (var name in inScope.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (set.Find(name) is { } resource && (!subscription.Known.TryGetValue(name, out var held) || held != resource.Version))
            {
                updated.Add(resource);
            }
        }

        var removed = subscription.Known.Keys
            .Where(name => set.Find(name) is null && (subscription.Wildcard || subscription.Names.Contains(name)))
            .Concat((added ?? []).Where(name => set.Find(name) is null))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

        if (!force && updated.Count == 0 && removed.Count == 0)
        {
            return;
        }

        var nonce = NextNonce();
        var systemVersion = state.Mesh.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = typeUrl,
            Nonce = nonce,
            SystemVersionInfo = systemVersion,
            ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = Context.Options.ControlPlaneId },
            RemovedResources = { removed },
        };
        foreach (var resource in updated)
        {
            response.Resources.Add(new Resource { Name = resource.Name, Version = resource.Version, Resource_ = resource.Body });
            subscription.Known[resource.Name] = resource.Version;
        }

        foreach (var name in removed)
        {
            subscription.Known.Remove(name);
        }

        subscription.SentVersion = systemVersion;
        subscription.SentNonce = nonce;
        await SendAsync(response);
        RecordSent(typeUrl, systemVersion, nonce, updated.Count, state, isPush);
    }

    private sealed class Subscription
    {
        public bool Wildcard { get; set; }

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        /// <summary>Resource versions the proxy holds: what it told us on reconnect, plus what we sent since.</summary>
        public Dictionary<string, string> Known { get; } = new(StringComparer.Ordinal);

        public string? SentVersion { get; set; }

        public string? SentNonce { get; set; }
    }
}
