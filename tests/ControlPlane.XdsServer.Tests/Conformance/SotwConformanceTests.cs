using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using static ControlPlane.XdsServer.Tests.Conformance.ConformanceMesh;

namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// The state-of-the-world ADS stream, row by row against the xDS protocol ("xDS REST and gRPC
/// protocol" on envoyproxy.io; discovery.proto) and, where the protocol leaves it open, istiod 1.10
/// (pilot/pkg/xds/ads.go shouldRespond). Each row runs on a fresh server over real gRPC.
/// </summary>
public sealed class SotwConformanceTests : IAsyncLifetime
{
    private const string Cds = TypeUrls.Cluster;
    private const string Eds = TypeUrls.Endpoint;
    private const string Lds = TypeUrls.Listener;
    private const string Rds = TypeUrls.Route;
    private static readonly string Reviews = Cluster("reviews");
    private static readonly string Ratings = Cluster("ratings");
    private static readonly string Details = Cluster("details");

    private static readonly ConformanceRow<SotwScenario>[] Table =
    [
        new("first request with no names gets every cluster",
            "discovery.proto resource_names: LDS/CDS may have empty resource_names, which returns all resources for the node.",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings, "BlackHoleCluster", "PassthroughCluster");
            }),
        new("first request naming * is the wildcard",
            "How the client specifies what resources to return: a wildcard subscription is triggered by subscribing to the special name \"*\".",
            async s =>
            {
                await s.RequestAsync(Cds, "*");
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings, "BlackHoleCluster");
            }),
        new("an ACK that changes nothing gets no response",
            "When to send an update: the server should only send updates when the resources in the response have changed.",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.AckAsync(Cds);
                await s.ExpectNothingAsync("an ACK asks for nothing new");
            }),
        new("* after the legacy wildcard changes nothing",
            "How the client specifies what resources to return: a request with no names is treated identically to an explicit \"*\".",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.AckAsync(Cds, "*");
                await s.ExpectNothingAsync("empty names and * are the same subscription");
            }),
        new("an ACK that adds a name gets the new set",
            "How the client specifies what resources to return: when a request changes the set of resources requested, the server must resend any newly requested resources.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
            }),
        new("a NACK gets no response and the rejected content is not sent again",
            "ACK/NACK: a NACK carries error_detail and the previous version; When to send an update: only send when resources changed.",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.NackAsync(Cds);
                await s.ExpectNothingAsync("a NACK is recorded, not answered");
                await s.Mesh.SetAsync("reviews", "10.1.0.1", "10.1.0.9");
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.ExpectNothingAsync("the rejected clusters did not change, so they are not pushed again");
            }),
        new("after a NACK the next change is sent",
            "ACK/NACK: after a NACK, an API update may succeed at a new version Y.",
            async s =>
            {
                await s.RequestAsync(Cds);
                var rejected = await s.ExpectIncludingAsync(Cds, Reviews);
                await s.NackAsync(Cds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                var next = await s.ExpectIncludingAsync(Cds, Reviews, Ratings, Details);
                next.VersionInfo.Should().NotBe(rejected.VersionInfo);
            }),
        new("a request with a stale nonce is ignored",
            "When to send an update: the server should not send a response for any request that has a stale nonce.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.AckAsync(Eds);
                await s.StaleAsync(Eds, Ratings);
                await s.ExpectNothingAsync("the request answers a replaced response");
            }),
        new("names changed with an old nonce wait for the ACK of the newest response",
            "When to send an update: a nonce becomes stale once a newer one is presented; Within a stream, new requests supersede prior ones of the same type.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.7");
                await s.ExpectAsync(Eds, Reviews);
                await s.StaleAsync(Eds, Reviews, Ratings);
                await s.ExpectNothingAsync("the new names came with the nonce of the replaced response");
                await s.AckAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
            }),
        new("a request crossing a push on the wire is ignored, and its names count from the next ACK",
            "Resource updates: the nonce lets the server tell a hint update sent at X from a rejection of Y; Envoy does not expect a response for every request.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.8");
                await s.ExpectAsync(Eds, Reviews);
                await s.StaleAsync(Eds, Ratings);
                await s.AckAsync(Eds, Ratings);
                await s.ExpectAsync(Eds, Ratings);
            }),
        new("switching from the wildcard to names narrows the set",
            "How the client specifies what resources to return: a request naming \"A\" after \"*\" unsubscribes from \"*\" and keeps \"A\".",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings);
                await s.AckAsync(Cds, Reviews);
                await s.ExpectAsync(Cds, Reviews);
            }),
        new("switching from names back to * widens the set",
            "How the client specifies what resources to return: a request naming \"*\" and \"A\" continues the wildcard and adds \"A\".",
            async s =>
            {
                await s.RequestAsync(Cds, Reviews);
                await s.ExpectAsync(Cds, Reviews);
                await s.AckAsync(Cds, "*", Reviews);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings, "BlackHoleCluster");
            }),
        new("no names after explicit names is no longer the wildcard",
            "How the client specifies what resources to return: once a name was subscribed explicitly, an empty list unsubscribes from everything.",
            async s =>
            {
                await s.RequestAsync(Cds, Reviews);
                await s.ExpectAsync(Cds, Reviews);
                await s.AckWithNoNamesAsync(Cds);
                await s.ExpectAsync(Cds);
            }),
        new("a name dropped from the list is no longer pushed",
            "Unsubscribing From Resources: in SotW, unsubscribing is a new request listing only the names still wanted.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.AckAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("ratings", "10.1.0.5");
                await s.ExpectNothingAsync("ratings' endpoints are no longer wanted");
            }),
        new("a name that does not exist yet is sent when it appears",
            "Knowing When a Requested Resource Does Not Exist: servers must remember requested resources and send one that springs into existence later.",
            async s =>
            {
                await s.RequestAsync(Eds, Details);
                await s.ExpectAsync(Eds);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await s.ExpectAsync(Eds, Details);
            }),
        new("a removed cluster is left out of the next CDS response",
            "Deleting Resources: for Listener and Cluster, a previously seen resource missing from a new response has been removed.",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings);
                await s.AckAsync(Cds);
                s.Mesh.Remove("ratings");
                var next = await s.ExpectIncludingAsync(Cds, Reviews);
                next.Resources.Select(ResourceNames.Of).Should().NotContain(Ratings);
            }),
        new("a reconnect carrying the old stream's version and nonce is answered in full, and pushes follow",
            "ACK/NACK and resource type instance version: a new stream's first request indicates the last version seen; the nonce does not survive stream restarts (istiod shouldRespond: no record of the type means an initial request).",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.AckAsync(Cds);
                await s.RequestAsync(Lds);
                var listeners = await s.ExpectIncludingAsync(Lds, "virtualOutbound");
                await s.AckAsync(Lds);
                await s.ReconnectAsync();
                await s.ResumeAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings);
                await s.ResumeAsync(Lds);
                await s.ExpectAsync(Lds, listeners.Resources.Select(ResourceNames.Of).ToArray());
                await s.AckAsync(Cds);
                await s.AckAsync(Lds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await s.ExpectIncludingAsync(Cds, Reviews, Ratings, Details);
            }),
        new("a reconnect re-asking EDS with the old nonce gets the endpoints",
            "As above, for a type requested by name: the names of the new stream's first request are recorded whatever its nonce.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.ReconnectAsync();
                await s.ResumeAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("ratings", "10.1.0.6");
                await s.ExpectAsync(Eds, Ratings);
            }),
        new("an endpoint change sends only the ClusterLoadAssignments that changed",
            "Grouping Resources into Responses: in SotW only Listener and Cluster responses must be complete; others are grouped as in the incremental variants.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                var pushed = await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.RequestAsync(Eds, Reviews, Ratings);
                var whole = await s.ExpectAsync(Eds, Reviews, Ratings);
                whole.VersionInfo.Should().Be(pushed.VersionInfo, "the partial response's version is that of everything the proxy then holds");
            }),
        new("a name added to a whole subscription gets only the new resource",
            "How the client specifies what resources to return: when the set of resources requested changes, the server must resend any newly requested resources (EDS and RDS responses need not be complete).",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await Eventually.Until(() => s.Mesh.Serves("details"), "details to be served");
                await s.AckAsync(Eds, Reviews, Ratings, Details);
                await s.ExpectAsync(Eds, Details);
            }),
        new("after a NACK the next EDS push is complete",
            "ACK/NACK: a NACK means the client kept what it held before, so a later update cannot build on the rejected one.",
            async s =>
            {
                await s.RequestAsync(Eds, Reviews, Ratings);
                await s.ExpectAsync(Eds, Reviews, Ratings);
                await s.NackAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                await s.ExpectAsync(Eds, Reviews, Ratings);
            }),
        new("a request with no nonce on a known type is answered in full",
            "discovery.proto response_nonce may be empty only before the client accepted an update on the stream; istiod answers it as an initial request.",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
            }),
        new("MOSN's periodic re-request with the same version and nonce is no request for anything",
            "When to send an update: only on change (MOSN re-sends its CDS request every 10 s with the last nonce).",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds, Reviews);
                for (var i = 0; i < 3; i++)
                {
                    await s.AckAsync(Cds);
                }

                await s.ExpectNothingAsync("a repeated ACK changes nothing");
            }),
        new("an endpoint-only change pushes EDS and nothing else",
            "Eventual consistency considerations: xDS updates can be pushed independently if no new clusters, routes or listeners are added.",
            async s =>
            {
                foreach (var type in new[] { Cds, Lds })
                {
                    await s.RequestAsync(type);
                    await s.ExpectIncludingAsync(type);
                    await s.AckAsync(type);
                }

                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.Mesh.SetAsync("reviews", "10.1.0.4");
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.ExpectNothingAsync("clusters and listeners did not change");
            }),
        new("a new service is pushed clusters before the routes that use them",
            "Eventual consistency considerations: CDS first, EDS after CDS, LDS after CDS/EDS, RDS after LDS (make before break).",
            async s =>
            {
                await s.RequestAsync(Cds);
                await s.ExpectIncludingAsync(Cds);
                await s.AckAsync(Cds);
                await s.RequestAsync(Eds, Reviews);
                await s.ExpectAsync(Eds, Reviews);
                await s.AckAsync(Eds);
                await s.RequestAsync(Lds);
                await s.ExpectIncludingAsync(Lds);
                await s.AckAsync(Lds);
                await s.RequestAsync(Rds, "9080");
                await s.ExpectAsync(Rds, "9080");
                await s.AckAsync(Rds);
                await s.Mesh.SetAsync("details", "10.1.0.3");
                await s.ExpectIncludingAsync(Cds, Details);
                await s.ExpectAsync(Rds, "9080");
                await s.AckAsync(Cds);
                await s.AckAsync(Rds);
                await s.ExpectNothingAsync("the listener on 9080 is shared and did not change; EDS for details was not asked for yet");
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
        await using var scenario = new SotwScenario(_server, _mesh, TestNodes.Sidecar());
        await row.Exchange(scenario);
    }
}
