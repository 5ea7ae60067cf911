using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Benchmarks.Load;

/// <summary>The delta (incremental) stream of a simulated proxy.</summary>
internal sealed partial class SimulatedProxy
{
    private async Task RunDeltaAsync(GrpcChannel channel, bool resume, CancellationToken token)
    {
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(AdsMethods.Delta, null, new CallOptions(cancellationToken: token));
        var requests = call.RequestStream;
        _nodeSent = false;
        if (resume && !_floor)
        {
            for (var type = 0; type < XdsTypes.Count; type++)
            {
                var state = _types[type];
                if (state.Requested)
                {
                    var request = new DeltaDiscoveryRequest { TypeUrl = XdsTypes.Urls[type], Node = NodeOnce() };
                    request.ResourceNamesSubscribe.AddRange(state.Subscribed);
                    request.InitialResourceVersions.Add(state.Known);
                    await requests.WriteAsync(request);
                }
            }
        }
        else
        {
            foreach (var state in _types)
            {
                state.Reset();
            }

            _types[(int)XdsType.Cluster].Requested = true;
            await requests.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = XdsTypes.Urls[(int)XdsType.Cluster], Node = NodeOnce() });
        }

        Opened();

        while (await call.ResponseStream.MoveNext(token))
        {
            var response = call.ResponseStream.Current;
            response.Probe?.Record(Identity.Index, response);
            await AnswerAsync(() => OnDeltaResponseAsync(requests, response));
        }
    }

    private async Task OnDeltaResponseAsync(IClientStreamWriter<DeltaDiscoveryRequest> requests, XdsResponse response)
    {
        var ack = new DeltaDiscoveryRequest { TypeUrl = XdsTypes.Urls[(int)response.Type], ResponseNonce = response.Nonce, Node = NodeOnce() };
        if (_floor)
        {
            await requests.WriteAsync(ack);
            return;
        }

        var state = _types[(int)response.Type];
        foreach (var resource in response.Resources)
        {
            state.Known[resource.Name] = resource.Version;
            state.Derived[resource.Name] = resource.Derived;
        }

        foreach (var name in response.Removed)
        {
            state.Known.Remove(name);
            state.Derived.Remove(name);
        }

        switch (response.Type)
        {
            case XdsType.Cluster:
                var endpoints = await FollowDeltaAsync(requests, XdsType.Endpoint, state);
                await requests.WriteAsync(ack);
                if (endpoints == 0)
                {
                    await RequestDeltaListenersOnceAsync(requests);
                }

                break;
            case XdsType.Endpoint:
                await requests.WriteAsync(ack);
                await RequestDeltaListenersOnceAsync(requests);
                break;
            case XdsType.Listener:
                await FollowDeltaAsync(requests, XdsType.Route, state);
                await requests.WriteAsync(ack);
                break;
            default:
                await requests.WriteAsync(ack);
                break;
        }
    }

    /// <summary>
    /// Brings the subscription of <paramref name="type"/> in line with the names <paramref name="source"/>'s
    /// resources derive (new clusters' endpoints, new listeners' routes); returns how many it holds.
    /// </summary>
    private async Task<int> FollowDeltaAsync(IClientStreamWriter<DeltaDiscoveryRequest> requests, XdsType type, TypeState source)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var names in source.Derived.Values)
        {
            wanted.UnionWith(names);
        }

        var state = _types[(int)type];
        var request = new DeltaDiscoveryRequest { TypeUrl = XdsTypes.Urls[(int)type], Node = NodeOnce() };
        request.ResourceNamesSubscribe.AddRange(wanted.Where(name => !state.Subscribed.Contains(name)).Order(StringComparer.Ordinal));
        request.ResourceNamesUnsubscribe.AddRange(state.Subscribed.Where(name => !wanted.Contains(name)).Order(StringComparer.Ordinal));
        if (request.ResourceNamesSubscribe.Count > 0 || request.ResourceNamesUnsubscribe.Count > 0)
        {
            foreach (var name in request.ResourceNamesUnsubscribe)
            {
                state.Subscribed.Remove(name);
                state.Known.Remove(name);
            }

            state.Subscribed.UnionWith(request.ResourceNamesSubscribe);
            state.Requested = true;
            await requests.WriteAsync(request);
        }

        return state.Subscribed.Count;
    }

    private async Task RequestDeltaListenersOnceAsync(IClientStreamWriter<DeltaDiscoveryRequest> requests)
    {
        var listeners = _types[(int)XdsType.Listener];
        if (!listeners.Requested)
        {
            listeners.Requested = true;
            await requests.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = XdsTypes.Urls[(int)XdsType.Listener], Node = NodeOnce() });
        }
    }
}
