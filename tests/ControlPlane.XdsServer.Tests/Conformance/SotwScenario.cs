using ControlPlane.XdsServer.Tests.Infrastructure;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// A state-of-the-world proxy as a conformance row drives it, over real gRPC. It remembers, per
/// type, the names it last asked for and every response it got, and keeps them across
/// <see cref="ReconnectAsync"/> as Envoy before 1.28 (and MOSN) do.
/// </summary>
public sealed class SotwScenario : IAsyncDisposable
{
    private readonly XdsServerInstance _server;
    private readonly Node _node;
    private readonly Dictionary<string, List<DiscoveryResponse>> _received = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _names = new(StringComparer.Ordinal);
    private SotwClient _client;

    public SotwScenario(XdsServerInstance server, ConformanceMesh mesh, Node node)
    {
        _server = server;
        _node = node;
        Mesh = mesh;
        _client = new SotwClient(server.Channel, node);
    }

    public ConformanceMesh Mesh { get; }

    /// <summary>A request that answers no response (empty version and nonce), as on a fresh start.</summary>
    public Task RequestAsync(string typeUrl, params string[] names) => SendAsync(typeUrl, names, string.Empty, string.Empty);

    /// <summary>The first request after a reconnect as Envoy 1.18 sends it: the last version and nonce it had.</summary>
    public Task ResumeAsync(string typeUrl, params string[] names)
    {
        var last = Last(typeUrl);
        return SendAsync(typeUrl, names, last.VersionInfo, last.Nonce);
    }

    /// <summary>ACKs the latest response of the type, with the names last asked for unless given.</summary>
    public Task AckAsync(string typeUrl, params string[] names)
    {
        var last = Last(typeUrl);
        return SendAsync(typeUrl, names.Length > 0 ? names : _names.GetValueOrDefault(typeUrl, []), last.VersionInfo, last.Nonce);
    }

    /// <summary>An ACK that names nothing, where <see cref="AckAsync"/> would repeat the last names.</summary>
    public Task AckWithNoNamesAsync(string typeUrl)
    {
        var last = Last(typeUrl);
        return SendAsync(typeUrl, [], last.VersionInfo, last.Nonce);
    }

    /// <summary>NACKs the latest response: the version stays the one accepted before it.</summary>
    public Task NackAsync(string typeUrl)
    {
        var responses = _received[typeUrl];
        var accepted = responses.Count > 1 ? responses[^2].VersionInfo : string.Empty;
        return SendAsync(typeUrl, _names.GetValueOrDefault(typeUrl, []), accepted, responses[^1].Nonce, error: "rejected by the conformance row");
    }

    /// <summary>A request answering the response before the latest one, as if it crossed the latest on the wire.</summary>
    public Task StaleAsync(string typeUrl, params string[] names)
    {
        var responses = _received[typeUrl];
        responses.Count.Should().BeGreaterThan(1, "a stale nonce needs an older response");
        return SendAsync(typeUrl, names, responses[^2].VersionInfo, responses[^2].Nonce);
    }

    /// <summary>The next response: of this type, carrying exactly these resources.</summary>
    public async Task<DiscoveryResponse> ExpectAsync(string typeUrl, params string[] names)
    {
        var response = await NextAsync();
        response.TypeUrl.Should().Be(typeUrl);
        response.Resources.Select(ResourceNames.Of).Should().BeEquivalentTo(names);
        return response;
    }

    /// <summary>The next response: of this type, carrying at least these resources.</summary>
    public async Task<DiscoveryResponse> ExpectIncludingAsync(string typeUrl, params string[] names)
    {
        var response = await NextAsync();
        response.TypeUrl.Should().Be(typeUrl);
        if (names.Length > 0)
        {
            response.Resources.Select(ResourceNames.Of).Should().Contain(names);
        }

        return response;
    }

    /// <summary>Nothing was sent in answer to what came before (see <see cref="SotwClient.ExpectNothingPendingAsync"/>).</summary>
    public Task ExpectNothingAsync(string because) => _client.ExpectNothingPendingAsync(because);

    /// <summary>Closes the stream and opens a new one; what the proxy remembers stays.</summary>
    public async Task ReconnectAsync()
    {
        await _client.DisposeAsync();
        await Eventually.Until(() => _server.Connections.Count == 0, "the old stream to be gone");
        _client = new SotwClient(_server.Channel, _node);
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private async Task<DiscoveryResponse> NextAsync()
    {
        var response = await _client.NextAsync();
        if (!_received.TryGetValue(response.TypeUrl, out var list))
        {
            _received[response.TypeUrl] = list = [];
        }

        list.Add(response);
        return response;
    }

    private DiscoveryResponse Last(string typeUrl)
    {
        _received.TryGetValue(typeUrl, out var responses).Should().BeTrue($"the row received a {typeUrl} response before");
        return responses![^1];
    }

    private Task SendAsync(string typeUrl, string[] names, string version, string nonce, string? error = null)
    {
        _names[typeUrl] = names;
        return _client.SendAsync(typeUrl, names, version, nonce, error);
    }
}
