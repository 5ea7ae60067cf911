using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Tests.Infrastructure;

namespace ControlPlane.XdsServer.Tests.Conformance;

/// <summary>
/// The mesh a conformance row runs against: HTTP services on port 9080 in namespace default, one
/// config file each, so a row changes one service without touching the others.
/// </summary>
public sealed class ConformanceMesh
{
    private readonly XdsServerInstance _server;
    private int _nextIp = 20;

    public ConformanceMesh(XdsServerInstance server)
    {
        _server = server;
    }

    public static string Cluster(string service) => $"outbound|9080||{service}.default.svc.cluster.local";

    /// <summary>The two services every row starts with: reviews and ratings, one endpoint each.</summary>
    public async Task SeedAsync()
    {
        await SetAsync("reviews", "10.1.0.1");
        await SetAsync("ratings", "10.1.0.2");
        await Eventually.Until(() => _server.Cache.Current.Mesh.Services.Count == 2, "the seed mesh to load");
    }

    /// <summary>Creates or replaces a service with exactly these endpoint addresses.</summary>
    public Task SetAsync(string service, params string[] endpoints) =>
        _server.WriteConfigAsync($"svc-{service}.yaml", Manifests.Join(
            Manifests.Service(service, "default", $"10.96.0.{_nextIp++}", 9080),
            Manifests.EndpointSlice(service, "default", 9080, "http", endpoints)));

    public void Remove(string service) => _server.DeleteConfig($"svc-{service}.yaml");

    /// <summary>True once the published config has the service.</summary>
    public bool Serves(string service) => _server.Cache.Current.Mesh.Services.ContainsKey(new ObjectKey("default", service));

    /// <summary>True once the published config has this endpoint address for the service.</summary>
    public bool HasEndpoint(string service, string address) =>
        _server.Cache.Current.Mesh.SlicesOf(new ObjectKey("default", service))
            .Any(slice => slice.Endpoints.Any(e => e.Addresses.Contains(address)));
}
