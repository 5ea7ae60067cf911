using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Protocol;

/// <summary>A fresh server per test, serving two HTTP services in namespace default.</summary>
public abstract class ProtocolTestBase : IAsyncLifetime
{
    protected const string ReviewsCluster = "outbound|9080||reviews.default.svc.cluster.local";
    protected const string RatingsCluster = "outbound|9080||ratings.default.svc.cluster.local";

    protected XdsServerInstance Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = Manifests.Join(
                Manifests.Service("reviews", "default", "10.96.0.10", 9080),
                Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1"),
                Manifests.Service("ratings", "default", "10.96.0.11", 9080),
                Manifests.EndpointSlice("ratings", "default", 9080, "http", "10.1.0.2")),
        });
        await Eventually.Until(() => Server.Cache.Current.Mesh.Services.Count == 2, "the mesh to load");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected Task SetReviewsEndpointsAsync(params string[] addresses) =>
        Server.WriteConfigAsync("mesh.yaml", Manifests.Join(
            Manifests.Service("reviews", "default", "10.96.0.10", 9080),
            Manifests.EndpointSlice("reviews", "default", 9080, "http", addresses),
            Manifests.Service("ratings", "default", "10.96.0.11", 9080),
            Manifests.EndpointSlice("ratings", "default", 9080, "http", "10.1.0.2")));
}
