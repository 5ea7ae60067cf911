using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// A delta xDS proxy as a conformance row drives it, over real gRPC. Like Envoy it keeps, per type,
/// the versions of the resources it holds, and offers them as initial_resource_versions after
/// <see cref="ReconnectAsync"/>.
/// </summary>
public sealed class DeltaScenario : IAsyncDisposable
{
    private readonly XdsServerInstance _server;
    private readonly Node _node;
    private readonly Dictionary<string, List<DeltaDiscoveryResponse>> _received = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _held = new(StringComparer.Ordinal);
    private DeltaClient _client;

    public DeltaScenario(XdsServerInstance server, ConformanceMesh mesh, Node node)
    {
        _server = server;
        _node = node;
        Mesh = mesh;
        _client = new DeltaClient(server.Channel, node);
    }

    public ConformanceMesh Mesh { get; }

    /// <summary>A request that answers no response: subscribes (and unsubscribes) names.</summary>
    public Task SubscribeAsync(string typeUrl, params string[] names) => _client.SendAsync(typeUrl, subscribe: names);

    public Task UnsubscribeAsync(string typeUrl, params string[] names) => _client.SendAsync(typeUrl, unsubscribe: names);

    public Task AckAsync(string typeUrl) => _client.SendAsync(typeUrl, nonce: Last(typeUrl).Nonce);

    public Task NackAsync(string typeUrl) => _client.SendAsync(typeUrl, nonce: Last(typeUrl).Nonce, error: "rejected by the conformance row");

    /// <summary>Subscribes names with the nonce of the response before the latest one.</summary>
    public Task SubscribeWithStaleNonceAsync(string typeUrl, params string[] names)
    {
        var responses = _received[typeUrl];
        responses.Count.Should().BeGreaterThan(1, "a stale nonce needs an older response");
        return _client.SendAsync(typeUrl, subscribe: names, nonce: responses[^2].Nonce);
    }

    /// <summary>The first request of a type on a new stream: what it wants, and the versions it holds.</summary>
    public Task ResumeAsync(string typeUrl, string[] subscribe, bool withOldNonce = false) =>
        _client.SendAsync(
            typeUrl,
            subscribe: subscribe,
            nonce: withOldNonce ? Last(typeUrl).Nonce : string.Empty,
            initialVersions: new Dictionary<string, string>(_held.GetValueOrDefault(typeUrl, [])));

    /// <summary>The next response: of this type, with exactly these updated and removed names.</summary>
    public async Task<DeltaDiscoveryResponse> ExpectAsync(string typeUrl, string[] updated, string[]? removed = null)
    {
        var response = await _client.NextAsync();
        Remember(response);
        response.TypeUrl.Should().Be(typeUrl);
        response.Resources.Select(r => r.Name).Should().BeEquivalentTo(updated);
        response.RemovedResources.Should().BeEquivalentTo(removed ?? []);
        return response;
    }

    /// <summary>The next response: of this type, updating at least these names.</summary>
    public async Task<DeltaDiscoveryResponse> ExpectIncludingAsync(string typeUrl, params string[] updated)
    {
        var response = await _client.NextAsync();
        Remember(response);
        response.TypeUrl.Should().Be(typeUrl);
        response.Resources.Select(r => r.Name).Should().Contain(updated);
        return response;
    }

    public Task ExpectNothingAsync(string because) => _client.ExpectNothingPendingAsync(because);

    /// <summary>Closes the stream and opens a new one; the resources held stay.</summary>
    public async Task ReconnectAsync()
    {
        await _client.DisposeAsync();
        await Eventually.Until(() => _server.Connections.Count == 0, "the old stream to be gone");
        _client = new DeltaClient(_server.Channel, _node);
    }

    /// <summary>Forgets a held resource, as if the proxy had dropped it.</summary>
    public void Forget(string typeUrl, string name) => _held[typeUrl].Remove(name);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private void Remember(DeltaDiscoveryResponse response)
    {
        if (!_received.TryGetValue(response.TypeUrl, out var list))
        {
            _received[response.TypeUrl] = list = [];
            _held[response.TypeUrl] = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        list.Add(response);
        foreach (var resource in response.Resources)
        {
            _held[response.TypeUrl][resource.Name] = resource.Version;
        }

        foreach (var name in response.RemovedResources)
        {
            _held[response.TypeUrl].Remove(name);
        }
    }

    private DeltaDiscoveryResponse Last(string typeUrl)
    {
        _received.TryGetValue(typeUrl, out var responses).Should().BeTrue($"the row received a {typeUrl} response before");
        return responses![^1];
    }
}
