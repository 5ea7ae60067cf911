using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using static ControlPlane.XdsServer.Tests.Conformance.ConformanceMesh;

namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// The delta (incremental) ADS stream, row by row against the xDS protocol's "Incremental xDS"
/// section and DeltaDiscoveryRequest's field documentation. Each row runs on a fresh server over real gRPC.
/// </summary>
public sealed class DeltaConformanceTests : IAsyncLifetime
{
    private const string Cds = TypeUrls.Cluster;
    private const string Eds = TypeUrls.Endpoint;
    private static readonly string Reviews = Cluster("reviews");
    private static readonly string Ratings = Cluster("ratings");
    private static readonly string Details = Cluster("details");

    private static readonly ConformanceRow<DeltaScenario>[] Table =
    [
        new("a first request naming nothing is the wildcard",
            "How the client specifies what resources to return: a request with resource_names_subscribe unset is a subscription to \"*\".",
            async s =>
            {
                await s.SubscribeAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings, "BlackHoleCluster");
            }),
        new("a first request naming names is not the wildcard",
            "How the client specifies what resources to return: the legacy wildcard holds only while nothing was ever named.",
            async s =>
            {
                await s.SubscribeAsync(Cds, Reviews);
                await s.ExpectAsync(Cds, [Reviews]);
            }),
        new("an ACK gets no response",
            "DeltaDiscoveryRequest: a request may only (N)ACK an earlier response; nothing changed, nothing is sent.",
            async s =>
            {
                await s.SubscribeAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.AckAsync(Cds);
                await s.ExpectNothingAsync("an ACK subscribes to nothing new");
            }),
        new("subscribing a name sends that resource only",
            "Incremental xDS: the server sends only what the client lacks; resource_names_subscribe adds to the tracked set.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
                await s.AckAsync(Eds);
                await s.SubscribeAsync(Eds, Ratings);
                await s.ExpectAsync(Eds, [Ratings]);
            }),
        new("subscribing a name the proxy already holds sends it again",
            "Subscribing to Resources: the server must still provide resources the client seems to hold; it may have forgotten them.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
                await s.AckAsync(Eds);
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
            }),
        new("unsubscribing gets no response and stops pushes of that name",
            "Unsubscribing from Resources: a server does not need to respond to a request that only unsubscribes.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, [Reviews, Ratings]);
                await s.AckAsync(Eds);
                await s.UnsubscribeAsync(Eds, Ratings);
                await s.ExpectNothingAsync("unsubscribing needs no answer");
                await s.Mesh.SetAsync("ratings", "10.1.0.5");
                await s.ExpectNothingAsync("ratings is no longer tracked");
            }),
        new("a name that does not exist is answered as removed, and sent when it appears",
            "Knowing When a Requested Resource Does Not Exist: the server sends the name in removed_resources.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Details);
                await s.ExpectAsync(Eds, [], [Details]);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await s.ExpectAsync(Eds, [Details]);
            }),
        new("a change sends only the changed resource",
            "Grouping Resources into Responses: with 100 resources sent and one changed, only that one needs sending.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, [Reviews, Ratings]);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                await s.ExpectAsync(Eds, [Reviews]);
            }),
        new("a deleted resource is sent as removed",
            "Deleting Resources: in the incremental variants the server signals deletion in removed_resources.",
            async s =>
            {
                await s.SubscribeAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Ratings);
                await s.AckAsync(Cds);
                s.Mesh.Remove("ratings");
                await s.ExpectAsync(Cds, [], [Ratings]);
            }),
        new("a NACK gets no response, the rejected content is not resent, the next change is sent",
            "ACK/NACK: error_detail marks a NACK; an API update may succeed at a new version after it.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
                await s.NackAsync(Eds);
                await s.ExpectNothingAsync("a NACK is recorded, not answered");
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                await s.ExpectAsync(Eds, [Reviews]);
            }),
        new("a subscription change with a stale nonce is honoured",
            "Incremental xDS: the server must honor changes to the subscription state even if the nonce is stale.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                await s.ExpectAsync(Eds, [Reviews]);
                await s.SubscribeWithStaleNonceAsync(Eds, Ratings);
                await s.ExpectAsync(Eds, [Ratings]);
            }),
        new("a reconnect with initial_resource_versions gets only what differs",
            "DeltaDiscoveryRequest.initial_resource_versions: on a reconnected stream the first request of each type tells the versions the client holds.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, [Reviews, Ratings]);
                await s.AckAsync(Eds);
                await s.ReconnectAsync();
                await s.Mesh.SetAsync("ratings", "10.1.0.6");
                await Eventually.Until(() => s.Mesh.HasEndpoint("ratings", "10.1.0.6"), "the new endpoint to be served");
                await s.ResumeAsync(Eds, [Reviews, Ratings]);
                await s.ExpectAsync(Eds, [Ratings]);
            }),
        new("a reconnect holding a resource that is gone gets it as removed",
            "Deleting Resources, with initial_resource_versions: what the client holds but no longer exists is removed.",
            async s =>
            {
                await s.SubscribeAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Ratings);
                await s.AckAsync(Cds);
                await s.ReconnectAsync();
                s.Mesh.Remove("ratings");
                await Eventually.Until(() => !s.Mesh.Serves("ratings"), "ratings to be withdrawn");
                await s.ResumeAsync(Cds, []);
                await s.ExpectAsync(Cds, [], [Ratings]);
            }),
        new("a reconnect whose first request carries the old stream's nonce is answered",
            "Incremental xDS: no state is assumed to be preserved from the previous stream; a nonce pairs only with this stream's responses.",
            async s =>
            {
                await s.SubscribeAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, [Reviews]);
                await s.AckAsync(Eds);
                await s.ReconnectAsync();
                s.Forget(Eds, Reviews);
                await s.ResumeAsync(Eds, [Reviews], withOldNonce: true);
                await s.ExpectAsync(Eds, [Reviews]);
            }),
        new("unsubscribing a name also covered by the wildcard resends it",
            "Unsubscribing from Resources: with \"*\" and a specific name, unsubscribing the name gets it back in resources if the wildcard covers it.",
            async s =>
            {
                await s.SubscribeAsync(Cds, "*", Reviews);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings);
                await s.AckAsync(Cds);
                await s.UnsubscribeAsync(Cds, Reviews);
                await s.ExpectAsync(Cds, [Reviews]);
            }),
        new("unsubscribing * leaves only the named resources pushed",
            "How the client specifies what resources to return: unsubscribing \"*\" keeps the explicit subscriptions.",
            async s =>
            {
                await s.SubscribeAsync(Cds, "*", Reviews);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings);
                await s.AckAsync(Cds);
                await s.UnsubscribeAsync(Cds, "*");
                await s.ExpectNothingAsync("unsubscribing needs no answer");
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await s.ExpectNothingAsync("details is no longer wanted");
            }),
    ];

    private XdsServerInstance _server = null!;
    private ConformanceMesh _mesh = null!;

    public static TheoryData<string> Rows() => new(Table.Select(r => r.Name));

    public async Task InitializeAsync()
    {
        _server = await XdsServerInstance.StartAsync();
        _mesh = new ConformanceMesh(_server);
        await _mesh.SeedAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Row(string name)
    {
        var row = Table.Single(r => r.Name == name);
        await using var scenario = new DeltaScenario(_server, _mesh, TestNodes.Sidecar());
        await row.Exchange(scenario);
    }
}
