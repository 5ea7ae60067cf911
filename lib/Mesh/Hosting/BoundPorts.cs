using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ControlPlane.Mesh.Hosting;

/// <summary>The endpoints Kestrel bound, by name; with port 0 the real port is known only after start.</summary>
public sealed class BoundPorts
{
    private readonly Dictionary<string, ListenOptions> _endpoints = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Record(string name, ListenOptions endpoint)
    {
        lock (_endpoints)
        {
            _endpoints[name] = endpoint;
        }
    }

    public int PortOf(string name)
    {
        lock (_endpoints)
        {
            return _endpoints.TryGetValue(name, out var endpoint) ? endpoint.IPEndPoint?.Port ?? 0 : 0;
        }
    }

    public IReadOnlyDictionary<string, int> All()
    {
        lock (_endpoints)
        {
            return _endpoints.ToDictionary(pair => pair.Key, pair => pair.Value.IPEndPoint?.Port ?? 0, StringComparer.Ordinal);
        }
    }

    /// <summary>Completes once the server listens, when every port is known.</summary>
    public Task WhenBoundAsync(CancellationToken cancellationToken) => _bound.Task.WaitAsync(cancellationToken);

    internal void MarkBound() => _bound.TrySetResult();
}
