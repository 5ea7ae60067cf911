using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Benchmarks.Load;

/// <summary>The state-of-the-world stream of a simulated proxy.</summary>
internal sealed partial class SimulatedProxy
{
    private async Task RunSotwAsync(GrpcChannel channel, bool resume, CancellationToken token)
    {
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(AdsMethods.StateOfTheWorld, null, new CallOptions(cancellationToken: token));
        var requests = call.RequestStream;
        _nodeSent = false;
        if (resume && !_floor)
        {
            for (var type = 0; type < XdsTypes.Count; type++)
            {
                if (_types[type].Requested)
                {
                    await SendSotwAsync(requests, (XdsType)type);
                }
            }
        }
        else
        {
            // On the floor server a proxy keeps the names it subscribed to, so that its ACKs carry
            // them as an Envoy's do (every subscribed EDS name in each EDS ACK): the floor reads the
            // same request bytes as the xds-server, and the ratio compares only the servers' work.
            foreach (var state in _types)
            {
                state.Reset(keepNames: _floor);
            }

            _types[(int)XdsType.Cluster].Requested = true;
            await SendSotwAsync(requests, XdsType.Cluster);
        }

        Opened();

        while (await call.ResponseStream.MoveNext(token))
        {
            var response = call.ResponseStream.Current;
            response.Probe?.Record(Identity.Index, response);
            await AnswerAsync(() => OnSotwResponseAsync(requests, response));
        }
    }

    private async Task OnSotwResponseAsync(IClientStreamWriter<SotwRequestMessage> requests, XdsResponse response)
    {
        var state = _types[(int)response.Type];
        state.Version = response.Version;
        state.Nonce = response.Nonce;
        if (_floor)
        {
            await SendSotwAsync(requests, response.Type);
            return;
        }

        switch (response.Type)
        {
            case XdsType.Cluster:
                // Envoy asks for the endpoints of new clusters before it ACKs the clusters.
                await FollowSotwAsync(requests, XdsType.Endpoint, response.Names);
                await SendSotwAsync(requests, XdsType.Cluster);
                if (response.Names.Length == 0)
                {
                    await RequestListenersOnceAsync(requests);
                }

                break;
            case XdsType.Endpoint:
                await SendSotwAsync(requests, XdsType.Endpoint);
                await RequestListenersOnceAsync(requests);
                break;
            case XdsType.Listener:
                await FollowSotwAsync(requests, XdsType.Route, response.Names);
                await SendSotwAsync(requests, XdsType.Listener);
                break;
            default:
                await SendSotwAsync(requests, XdsType.Route);
                break;
        }
    }

    /// <summary>Subscribes <paramref name="type"/> to <paramref name="names"/> if they differ from what it asked for.</summary>
    private async Task FollowSotwAsync(IClientStreamWriter<SotwRequestMessage> requests, XdsType type, string[] names)
    {
        var state = _types[(int)type];
        if (names.Length == 0 || (state.Requested && (ReferenceEquals(state.Names, names) || state.Names.AsSpan().SequenceEqual(names))))
        {
            return;
        }

        state.Names = names;
        state.Requested = true;
        await SendSotwAsync(requests, type);
    }

    /// <summary>LDS follows once the initial clusters are warm (have their endpoints), as in Envoy.</summary>
    private async Task RequestListenersOnceAsync(IClientStreamWriter<SotwRequestMessage> requests)
    {
        var listeners = _types[(int)XdsType.Listener];
        if (!listeners.Requested)
        {
            listeners.Requested = true;
            await SendSotwAsync(requests, XdsType.Listener);
        }
    }

    /// <summary>A request (or ACK) of <paramref name="type"/> carrying the last version and nonce received and the subscribed names.</summary>
    private Task SendSotwAsync(IClientStreamWriter<SotwRequestMessage> requests, XdsType type)
    {
        var state = _types[(int)type];
        return requests.WriteAsync(new SotwRequestMessage(XdsTypes.Urls[(int)type], state.Version, state.Nonce, NodeOnce(), state.Names));
    }
}
